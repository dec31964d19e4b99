package org.portcullis.tracking.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.portcullis.core.TimeFilter;
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
        try {
            return TimeFilter.parse(what, text);
        } catch (IllegalArgumentException e) {
            throw new TrackingException(true, e.getMessage());
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
