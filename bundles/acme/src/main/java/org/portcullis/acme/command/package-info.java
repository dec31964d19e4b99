/** The {@code acme:} shell commands (right {@code certificates}). */
package org.portcullis.acme.command;
