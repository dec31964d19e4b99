/** The update: shell commands (right {@code update}). */
package org.portcullis.updater.command;
