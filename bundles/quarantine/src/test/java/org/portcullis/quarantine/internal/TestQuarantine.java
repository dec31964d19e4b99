package org.portcullis.quarantine.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.portcullis.auth.Account;
import org.portcullis.auth.Role;


/** A quarantine on a test's database and SMTP listener, for other bundles' tests (the test-jar). */
public final class TestQuarantine {

    private TestQuarantine() {
    }

    /** The service, its schema already made by the test; releases go to {@code 127.0.0.1:port}. */
    public static QuarantineService on(DataSource ds, int port) {
        return on(ds, new Reinjector("127.0.0.1", port, "test.localhost", 10_000));
    }

    /** The same, releasing through {@code reinjector}. */
    static QuarantineService on(DataSource ds, Reinjector reinjector) {
        QuarantineService q = new QuarantineService();
        q.start(new QuarantineStore(ds), reinjector, Duration.ofDays(30),
                new Digests.Settings(Duration.ofHours(24), List.of("spam", "policy"), "postmaster@test.localhost", "https://gateway.test:8443",
                        Duration.ofDays(7), List.of()));
        return q;
    }

    /** An admin, for tests that look at every recipient. */
    public static final Account ADMIN = new Account("admin", Role.ADMIN, new TreeSet<>(), Set.of(), Instant.EPOCH);

    /** The quarantine's own migration, for {@code TestDatabase.recreate}. */
    public static final String[] MIGRATIONS = {"V1__quarantine.sql", "V2__links.sql", "V3__release_attempts.sql"};

}
