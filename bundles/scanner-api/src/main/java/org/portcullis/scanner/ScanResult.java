package org.portcullis.scanner;

import java.util.List;
import java.util.Objects;

/**
 * What a scanner says about a message or part. What happens to the mail is decided by the
 * admin's policy over all results; the defaults are:
 * <ul>
 * <li>{@link Clean} — nothing found; the mail goes on to the other scanners' results;</li>
 * <li>{@link Infected} — rejected with {@code 550 5.7.1} naming the threat;</li>
 * <li>{@link Spam} — tagged with the score and rules, or quarantined above the admin's threshold;</li>
 * <li>{@link Suspicious} — held for the sandbox or quarantined, with the reason;</li>
 * <li>{@link Failed} — the scanner could not tell; a temporary failure ({@code 451 4.7.1}) so the
 *     sender retries, unless the admin set this scanner to fail open.</li>
 * </ul>
 */
public sealed interface ScanResult {

    static ScanResult clean() {
        return Clean.INSTANCE;
    }

    static ScanResult infected(String threat) {
        return new Infected(threat);
    }

    static ScanResult spam(double score, List<String> rules) {
        return new Spam(score, rules);
    }

    static ScanResult suspicious(String reason) {
        return new Suspicious(reason);
    }

    static ScanResult failed(String reason) {
        return new Failed(reason);
    }

    /** Nothing found. */
    final class Clean implements ScanResult {
        static final Clean INSTANCE = new Clean();

        private Clean() {
        }

        @Override
        public String toString() {
            return "clean";
        }
    }

    /** Malware found, named as the engine names it (e.g. {@code Eicar-Test-Signature}). */
    record Infected(String threat) implements ScanResult {
        public Infected {
            requireText(threat, "threat");
        }
    }

    /** A spam score (the scanner's own scale; 5.0 and above is spam by convention) and the rules that hit. */
    record Spam(double score, List<String> rules) implements ScanResult {
        public Spam {
            if (Double.isNaN(score) || Double.isInfinite(score)) {
                throw new IllegalArgumentException("spam score must be a finite number, was " + score);
            }
            rules = List.copyOf(rules);
        }
    }

    /** Not proven bad, but risky (a macro document, an executable in an archive). */
    record Suspicious(String reason) implements ScanResult {
        public Suspicious {
            requireText(reason, "reason");
        }
    }

    /** The scanner could not give an answer (engine down, unreadable content, timeout). */
    record Failed(String reason) implements ScanResult {
        public Failed {
            requireText(reason, "reason");
        }
    }

    private static void requireText(String s, String what) {
        if (Objects.requireNonNull(s, what).isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
