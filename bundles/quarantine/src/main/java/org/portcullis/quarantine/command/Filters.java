package org.portcullis.quarantine.command;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.portcullis.core.TimeFilter;
import org.portcullis.quarantine.QuarantineException;

/** The quarantine's filter values, checked: one line naming a bad one and what it may be. */
public final class Filters {

    private static final List<String> CATEGORIES = List.of("sandbox", "virus", "spam", "policy");
    private static final List<String> STATES = List.of("held", "released", "deleted", "expired");

    private Filters() {
    }

    public static String category(String value) {
        return oneOf("reason", value, CATEGORIES);
    }

    public static String state(String value) {
        return oneOf("state", value, STATES);
    }

    /** {@code 30m}, {@code 12h}, {@code 7d} (ago), {@code 2026-12-01} or an ISO instant; null for none. */
    public static Instant time(String what, String value) {
        try {
            return TimeFilter.parse(what, value);
        } catch (IllegalArgumentException e) {
            throw new QuarantineException(QuarantineException.Code.INVALID, e.getMessage());
        }
    }

    private static String oneOf(String what, String value, List<String> allowed) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new QuarantineException(QuarantineException.Code.INVALID, "unknown " + what + " '" + value + "': one of "
                    + String.join(", ", allowed));
        }
        return v;
    }
}
