/** Karaf shell commands of the {@code portcullis} scope: version and maintenance mode. */
package org.portcullis.core.command;
