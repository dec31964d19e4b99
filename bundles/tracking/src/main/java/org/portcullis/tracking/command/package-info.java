/** The mail:log shell command. */
package org.portcullis.tracking.command;
