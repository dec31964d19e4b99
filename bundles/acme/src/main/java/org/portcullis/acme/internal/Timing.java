package org.portcullis.acme.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.portcullis.acme.AcmeException;

/** The rules with no CA and no database in them: which names may be asked for, when to renew, how long to back off. */
final class Timing {

    private static final String NAME = "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?";

    private Timing() {
    }

    /** Lower-cased, distinct, each a DNS name (no wildcard: HTTP-01 cannot validate one). */
    static List<String> names(List<String> names) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String n : names == null ? List.<String>of() : names) {
            for (String part : n.split("[,\\s]+")) {
                String name = part.strip().toLowerCase(Locale.ROOT);
                if (name.endsWith(".")) {
                    name = name.substring(0, name.length() - 1);
                }
                if (name.isEmpty()) {
                    continue;
                }
                if (!name.matches(NAME)) {
                    throw new AcmeException(AcmeException.Code.INVALID, "'" + part.strip() + "' is not a DNS name (letters, digits and '-' in dot-separated "
                            + "labels; no wildcard, no IP address)");
                }
                out.add(name);
            }
        }
        if (out.isEmpty()) {
            throw new AcmeException(AcmeException.Code.INVALID, "no name given");
        }
        if (out.size() > 100) {
            throw new AcmeException(AcmeException.Code.INVALID, out.size() + " names: a certificate takes at most 100");
        }
        return List.copyOf(out);
    }

    /** ARI's window when the CA gives one (a random moment in it), else when a third of the lifetime is left. */
    static Instant renewAt(Instant notBefore, Instant notAfter, Optional<Instant> ariStart, Optional<Instant> ariEnd) {
        if (ariStart.isPresent() && ariEnd.isPresent() && !ariEnd.get().isBefore(ariStart.get())) {
            long span = Duration.between(ariStart.get(), ariEnd.get()).toSeconds();
            return ariStart.get().plusSeconds(span == 0 ? 0 : ThreadLocalRandom.current().nextLong(span + 1));
        }
        return notBefore.plus(Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
    }

    /**
     * The wait after {@code failures} failed tries in a row: {@code base} doubled per failure up to
     * {@code cap}, spread ±20 %, and never before the CA's {@code Retry-After}.
     */
    static Instant nextTry(Instant now, int failures, Duration base, Duration cap, Optional<Instant> retryAfter) {
        Duration d = base.multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
        if (d.compareTo(cap) > 0) {
            d = cap;
        }
        long ms = d.toMillis();
        long spread = ms / 5;
        Instant next = now.plusMillis(ms - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1));
        return retryAfter.filter(r -> r.isAfter(next)).orElse(next);
    }

}
