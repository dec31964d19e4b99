/** Shell commands {@code auth:*}. */
package org.portcullis.auth.command;
