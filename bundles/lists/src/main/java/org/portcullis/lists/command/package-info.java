/** Shell commands {@code lists:*}. */
package org.portcullis.lists.command;
