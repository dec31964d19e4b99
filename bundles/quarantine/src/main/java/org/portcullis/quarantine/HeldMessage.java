package org.portcullis.quarantine;

import java.time.Instant;
import java.util.List;

/**
 * A held message as the quarantine shows it.
 *
 * @param category {@code sandbox}, {@code virus}, {@code spam} or {@code policy}
 * @param details the scanners' results, as the mail log writes them
 * @param hasContent false once retention has deleted the content
 */
public record HeldMessage(long id, Instant held, String queueId, String messageId, String sender, String clientAddress, String category,
        String reason, List<String> details, long size, String sha256, boolean hasContent, List<Recipient> recipients) {

    public HeldMessage {
        details = List.copyOf(details);
        recipients = List.copyOf(recipients);
    }

    /**
     * One recipient's state: {@code held}, {@code released}, {@code deleted} or {@code expired}.
     *
     * @param changedBy the account that released or deleted it
     * @param reply the re-injection listener's reply when it was released
     */
    public record Recipient(String address, String state, Instant changed, String changedBy, String reply) {
    }
}
