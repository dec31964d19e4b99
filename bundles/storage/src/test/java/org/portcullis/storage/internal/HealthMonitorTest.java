package org.portcullis.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Down, then up again: the monitor reports the error and then recovers, against a real server. */
class HealthMonitorTest {

    @TempDir
    Path base;

    @Test
    void wrongPasswordIsReportedWithoutThePasswordAndTheRightOneRecovers() throws Exception {
        int port = EmbeddedPostgresServerTest.freePort();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(base, port)) {
            createRole(server, "portcullis", "right-secret");
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL("jdbc:postgresql://127.0.0.1:" + port + "/portcullis");
            ds.setUser("portcullis");
            ds.setPassword("wrong-secret");
            HealthMonitor monitor = new HealthMonitor(ds, "test", Clock.systemUTC());

            assertFalse(monitor.check());
            assertTrue(monitor.lastError().contains("password authentication failed"), monitor.lastError());
            assertFalse(monitor.lastError().contains("wrong-secret"), monitor.lastError());

            ds.setPassword("right-secret");
            assertTrue(monitor.check());
            assertEquals("", monitor.lastError());
        }
    }

    private static void createRole(EmbeddedPostgresServer server, String user, String password) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), EmbeddedPostgresServer.USER, server.password());
                Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
        }
    }

    @Test
    void throughThePoolTheErrorIsTheCauseNotThePoolTimeout() throws Exception {
        int port = EmbeddedPostgresServerTest.freePort();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:" + port + "/portcullis");
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setConnectionTimeout(1000);
        hc.setInitializationFailTimeout(-1);
        try (HikariDataSource pool = new HikariDataSource(hc)) {
            HealthMonitor monitor = new HealthMonitor(pool, "test", Clock.systemUTC());
            assertFalse(monitor.check());
            assertTrue(monitor.lastError().contains("refused"), monitor.lastError());
            assertFalse(monitor.lastError().contains("not available"), monitor.lastError());
            String first = monitor.lastError();
            assertFalse(monitor.check());
            assertEquals(first, monitor.lastError(), "the same outage must read the same, so it is logged once");
        }
    }

    @Test
    void reportsTheOutageAndRecoversWhenTheServerIsBack() throws Exception {
        int port = EmbeddedPostgresServerTest.freePort();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:" + port + "/portcullis");
        ds.setUser(EmbeddedPostgresServer.USER);
        ds.setPassword(SuperuserPassword.readOrCreate(base.resolve("superuser-password")));
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
