/** Shell commands {@code backup:*}. */
package org.portcullis.backup.command;
