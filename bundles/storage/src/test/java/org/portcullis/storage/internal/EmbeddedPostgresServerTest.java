package org.portcullis.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server as the distribution runs it: durable, loopback only, and restartable on its data. */
class EmbeddedPostgresServerTest {

    @TempDir
    Path base;

    @Test
    void runsDurablyOnLoopbackAndKeepsDataAcrossRestarts() throws Exception {
        int port = freePort();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(base, port)) {
            assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/portcullis", server.jdbcUrl());
            try (Connection c = connect(server)) {
                assertEquals("on", show(c, "fsync"));
                assertEquals("on", show(c, "synchronous_commit"));
                assertEquals("on", show(c, "full_page_writes"));
                assertEquals("127.0.0.1", show(c, "listen_addresses"));
                exec(c, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
            }
        }
        assertTrue(EmbeddedPostgresServer.postmaster(base.resolve("data")).isEmpty(), "postgres left running after close");
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(base, port); Connection c = connect(again)) {
            assertEquals("survives", query(c, "SELECT v FROM kept"));
        }
    }

    @Test
    void noLoginWithoutThePasswordSucceedsAtAnyMomentOfTheFirstStart() throws Exception {
        int port = freePort();
        java.util.concurrent.atomic.AtomicBoolean starting = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger reached = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> admitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread intruder = new Thread(() -> {
            java.util.Properties noPassword = new java.util.Properties();
            noPassword.setProperty("user", EmbeddedPostgresServer.USER);
            noPassword.setProperty("connectTimeout", "1");
            while (starting.get()) {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", noPassword)) {
                    admitted.add("connected as " + EmbeddedPostgresServer.USER + " with no password");
                } catch (SQLException e) {
                    // 08001: nothing listens yet; 08004 (the driver has no password to give) or 28xxx: the
                    // server is up and asked for a password
                    if ("08004".equals(e.getSQLState()) || (e.getSQLState() != null && e.getSQLState().startsWith("28"))) {
                        reached.incrementAndGet();
                    } else if (!"08001".equals(e.getSQLState()) && !"57P03".equals(e.getSQLState())) { // 57P03: still starting
                        admitted.add("unexpected: " + e.getSQLState() + " " + e.getMessage());
                    }
                }
            }
        });
        intruder.start();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(base, port)) {
            // keep trying a little after start() returns, then stop
            long end = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < end && reached.get() < 20) {
                Thread.sleep(10);
            }
            starting.set(false);
            intruder.join(10_000);
            assertTrue(admitted.isEmpty(), admitted.toString());
            assertTrue(reached.get() > 0, "the intruder reached the running server and was asked for a password");
            String hba = Files.readString(base.resolve("data/pg_hba.conf"));
            assertFalse(hba.contains("trust"), hba);
        } finally {
            starting.set(false);
        }
    }

    @Test
    void stopsAPostmasterLeftBehindByAKilledJvm() throws Exception {
        int port = freePort();
        Process jvm = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName(), base.toString(),
                Integer.toString(port)).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains("READY")) {
                // start-up chatter
            }
            assertEquals("READY", line == null ? null : line.strip(), "child JVM did not start the server");
        }
        String password = Files.readString(base.resolve("superuser-password")).strip();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/portcullis",
                EmbeddedPostgresServer.USER, password)) {
            exec(c, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed')");
        }
        jvm.destroyForcibly().waitFor();
        Optional<ProcessHandle> left = EmbeddedPostgresServer.postmaster(base.resolve("data"));
        assertTrue(left.isPresent(), "kill -9 of the JVM should leave its postmaster running");

        try (EmbeddedPostgresServer next = EmbeddedPostgresServer.start(base, port); Connection c = connect(next)) {
            assertFalse(left.get().isAlive(), "the old postmaster should have been stopped");
            assertEquals("committed", query(c, "SELECT v FROM kept"));
        }
    }

    @Test
    void onlyTheGeneratedPasswordLogsIn() throws Exception {
        int port = freePort();
        String password;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(base, port)) {
            password = server.password();
            Path file = base.resolve("superuser-password");
            assertEquals(password, Files.readString(file).strip());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(password.length() >= 32, password.length() + " characters");
            assertRefused(server.jdbcUrl(), "");
            assertRefused(server.jdbcUrl(), "not-the-password");
            try (Connection c = connect(server)) {
                assertEquals("", show(c, "unix_socket_directories"));
            }
        }
        // The same password is kept across restarts, and the restarted server is closed too.
        try (EmbeddedPostgresServer again = EmbeddedPostgresServer.start(base, port)) {
            assertEquals(password, again.password());
            assertRefused(again.jdbcUrl(), "");
        }
    }

    @Test
    void refusesAPasswordFileItDidNotWrite() throws Exception {
        Files.writeString(base.resolve("superuser-password"), "x\n");
        IOException e = assertThrows(IOException.class, () -> EmbeddedPostgresServer.start(base, freePort()));
        assertTrue(e.getMessage().contains("superuser-password"), e.getMessage());
    }

    @Test
    void portInUseFailsWithAMessageNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Exception e = assertThrows(Exception.class, () -> EmbeddedPostgresServer.start(base, taken.getLocalPort()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort() + " is in use"), e.getMessage());
        }
        assertTrue(EmbeddedPostgresServer.postmaster(base.resolve("data")).isEmpty(), "nothing may be left running");
    }

    private static void assertRefused(String url, String password) {
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url, EmbeddedPostgresServer.USER, password).close());
        assertTrue(e.getMessage().contains("password"), e.getMessage());
    }

    private static Connection connect(EmbeddedPostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), EmbeddedPostgresServer.USER, server.password());
    }

    private static String show(Connection c, String setting) throws SQLException {
        return query(c, "SHOW " + setting);
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
