package org.portcullis.tracking.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.portcullis.policy.Verdict;
import org.portcullis.tracking.TrackingException;

/** Filter values as admins type them, in the shell and in REST query parameters. */
public final class Filters {

    private Filters() {
    }

    /**
     * {@code 30m}, {@code 12h}, {@code 7d} (that long ago), {@code 2026-12-01} (midnight UTC) or an
     * ISO instant; {@code null} or blank for none.
     *
     * @throws TrackingException (invalid) naming {@code what} and the forms accepted
     */
    public static Instant time(String what, String text) {
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
            throw new TrackingException(true, what + " '" + text + "': use 30m, 12h, 7d (ago), 2026-12-01 or 2026-12-01T08:00:00Z");
        }
    }

    /** @throws TrackingException (invalid) naming the kinds there are */
    public static Verdict.Kind verdict(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        for (Verdict.Kind k : Verdict.Kind.values()) {
            if (k.id().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new TrackingException(true, "verdict '" + text + "': one of "
                + Arrays.stream(Verdict.Kind.values()).map(Verdict.Kind::id).collect(Collectors.joining(", ")));
    }
}
