package org.portcullis.core;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A point in time as admins type it in a filter, in the shell and in REST query parameters (since 1.3). */
public final class TimeFilter {

    private TimeFilter() {
    }

    /**
     * {@code 30m}, {@code 12h}, {@code 7d} (that long ago, also {@code 45s}), {@code 2026-12-01}
     * (midnight UTC) or an ISO instant; {@code null} for {@code null} or blank.
     *
     * @throws IllegalArgumentException one line naming {@code what}, the value and the forms accepted
     */
    public static Instant parse(String what, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        try {
            if (t.matches("\\d{1,6}[smhd]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                Duration d = switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return Instant.now().minus(d);
            }
            return t.length() == 10 ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(what + " '" + text + "': use 30m, 12h, 7d (ago), 2026-12-01 or 2026-12-01T08:00:00Z");
        }
    }
}
