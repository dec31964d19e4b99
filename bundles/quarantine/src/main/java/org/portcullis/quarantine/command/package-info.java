/** The quarantine:list, show, release and delete shell commands. */
package org.portcullis.quarantine.command;
