/** The sandbox:list shell command. */
package org.portcullis.sandbox.command;
