package org.portcullis.sandbox;

/**
 * What an analyser found in one attachment.
 *
 * @param malicious whether the attachment must not be delivered
 * @param reason one line saying why (empty when clean)
 */
public record Finding(boolean malicious, String reason) {

    private static final Finding CLEAN = new Finding(false, "");

    public Finding {
        reason = reason == null ? "" : reason.replaceAll("[\\r\\n\\t]+", " ").strip();
        if (malicious && reason.isEmpty()) {
            throw new IllegalArgumentException("a malicious finding needs its reason");
        }
    }

    public static Finding clean() {
        return CLEAN;
    }

    public static Finding malicious(String reason) {
        return new Finding(true, reason);
    }
}
