package org.portcullis.storage.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the database for its version at a fixed interval and remembers the answer or the error.
 * It logs a change of state once (down, then up again), not every failed check.
 */
final class HealthMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    private final DataSource dataSource;
    private final String displayUrl;
    private final Clock clock;

    private volatile boolean reachable;
    private volatile boolean everReached;
    private volatile String serverVersion = "";
    private volatile String lastError = "";
    private volatile Instant lastCheck;

    HealthMonitor(DataSource dataSource, String displayUrl, Clock clock) {
        this.dataSource = dataSource;
        this.displayUrl = displayUrl;
        this.clock = clock;
    }

    /** Runs one check; returns whether the database answered. */
    boolean check() {
        boolean wasReachable = reachable;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            serverVersion = rs.getString(1);
            lastError = "";
            reachable = true;
            if (!wasReachable) {
                LOG.info("Database {} reachable: {}", displayUrl, serverVersion);
            }
            everReached = true;
        } catch (SQLException | RuntimeException e) {
            String message = Errors.describe(e);
            reachable = false;
            if (wasReachable || lastCheck == null || !message.equals(lastError)) {
                LOG.error("Database {} unreachable: {}. Mail that needs the database is deferred; check "
                        + "etc/org.portcullis.storage.cfg and the database server", displayUrl, message);
            }
            lastError = message;
        }
        lastCheck = clock.instant();
        return reachable;
    }

    boolean reachable() {
        return reachable;
    }

    boolean everReached() {
        return everReached;
    }

    String serverVersion() {
        return serverVersion;
    }

    String lastError() {
        return lastError;
    }

    Instant lastCheck() {
        return lastCheck;
    }

    /** Records a failure that happened before there was a pool to check (embedded start, bad config). */
    void fail(String message) {
        reachable = false;
        lastError = message;
        lastCheck = clock.instant();
    }
}
