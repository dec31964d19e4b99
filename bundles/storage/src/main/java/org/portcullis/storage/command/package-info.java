/** Karaf shell commands of the {@code storage} scope. */
package org.portcullis.storage.command;
