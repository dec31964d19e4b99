/** The {@code cluster:} shell commands (right {@code cluster}). */
package org.portcullis.cluster.command;
