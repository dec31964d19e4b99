package org.portcullis.lists.internal;

import java.util.List;

/**
 * What is judged, for one recipient.
 *
 * @param sender envelope sender, normalized ({@code ""} for the null sender)
 * @param client the SMTP client's address bytes, or {@code null}
 * @param recipient the recipient whose lists apply, normalized
 * @param headerFrom header From addresses, normalized (empty at RCPT)
 */
record Query(String sender, byte[] client, String recipient, List<String> headerFrom) {
}
