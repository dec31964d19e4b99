package org.portcullis.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Down, then up again: the monitor reports the error and then recovers, against a real server. */
class HealthMonitorTest {

    @TempDir
    Path base;

    @Test
    void reportsTheOutageAndRecoversWhenTheServerIsBack() throws Exception {
        int port = EmbeddedPostgresServerTest.freePort();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:" + port + "/portcullis");
        ds.setUser(EmbeddedPostgresServer.USER);
        ds.setConnectTimeout(2);
        HealthMonitor monitor = new HealthMonitor(ds, "test", Clock.systemUTC());

        assertFalse(monitor.check());
        assertFalse(monitor.everReached());
        assertTrue(monitor.lastError().contains("Connection") || monitor.lastError().contains("refused"),
                monitor.lastError());
        assertFalse(monitor.lastError().contains("\n"));

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(base, port)) {
            assertTrue(monitor.check());
            assertEquals("", monitor.lastError());
            assertTrue(monitor.serverVersion().startsWith("PostgreSQL"), monitor.serverVersion());
        }
        assertFalse(monitor.check(), "the server is stopped again");
        assertTrue(monitor.everReached());
        assertNotNull(monitor.lastCheck());
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(base, port)) {
            assertTrue(monitor.check());
        }
    }
}
