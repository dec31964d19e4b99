/** Karaf shell commands of the {@code milter} scope. */
package org.portcullis.milter.internal.command;
