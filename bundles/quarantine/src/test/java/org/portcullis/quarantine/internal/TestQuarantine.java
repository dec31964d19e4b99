package org.portcullis.quarantine.internal;

import java.time.Duration;

import javax.sql.DataSource;


/** A quarantine on a test's database and SMTP listener, for other bundles' tests (the test-jar). */
public final class TestQuarantine {

    private TestQuarantine() {
    }

    /** The service, its schema already made by the test; releases go to {@code 127.0.0.1:port}. */
    public static QuarantineService on(DataSource ds, int port) {
        QuarantineService q = new QuarantineService();
        q.start(new QuarantineStore(ds), new Reinjector("127.0.0.1", port, "test.localhost", 10_000), Duration.ofDays(30));
        return q;
    }

    /** The quarantine's own migration, for {@code TestDatabase.recreate}. */
    public static final String MIGRATION = "V1__quarantine.sql";

}
