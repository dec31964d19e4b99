package org.portcullis.storage.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL the distribution runs when no database is configured: real server binaries
 * (zonky), data kept under the container's data directory, listening on 127.0.0.1 only.
 *
 * <p>Durability is switched back on: the library starts PostgreSQL with {@code fsync} and
 * {@code synchronous_commit} off, which suits throw-away test databases, not a mail gateway.
 * Access is closed from the first moment: the library would initialise the cluster with
 * {@code trust}, so initdb is also given scram authentication and the superuser's password from
 * {@code base/superuser-password} (mode 0600, generated on first use), and {@code pg_hba.conf}
 * (scram logins over 127.0.0.1 only) is written before every start; no unix socket is opened. A postmaster left running by a killed JVM is stopped before the new one
 * starts.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    static final String DATABASE = "portcullis";
    static final String USER = "postgres";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final String password;
    private final java.nio.channels.FileChannel owner;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, String password, java.nio.channels.FileChannel owner) {
        this.postgres = postgres;
        this.password = password;
        this.owner = owner;
    }

    /**
     * Starts (and on first use initialises) the server in {@code base/data}, unpacking the binaries
     * into {@code base/bin}, and creates the {@value #DATABASE} database when missing.
     */
    static EmbeddedPostgresServer start(Path base, int port) throws IOException, SQLException {
        java.nio.channels.FileChannel owner = own(base);
        try {
            return start(base, port, owner);
        } catch (IOException | SQLException | RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    /**
     * Takes {@code base/owner.lock} for as long as this server runs. While an update swaps the
     * storage bundle, two versions of it can be active in one container for a moment; the lock
     * (which the JDK refuses twice within one JVM, whatever the class loader) keeps the second
     * from taking the first one's server for an orphan. A killed JVM's lock goes with it.
     */
    private static java.nio.channels.FileChannel own(Path base) throws IOException {
        Files.createDirectories(base);
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(base.resolve("owner.lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() == null) {
                throw new IOException("another program holds " + base.resolve("owner.lock") + " and runs the embedded PostgreSQL");
            }
            return ch;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            ch.close();
            throw new IOException("another storage bundle in this container still runs the embedded PostgreSQL in " + base
                    + " (bundles being swapped); waiting for it to stop", e);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private static EmbeddedPostgresServer start(Path base, int port, java.nio.channels.FileChannel owner) throws IOException, SQLException {
        Path data = base.resolve("data");
        stopOrphan(data);
        requireFreePort(port);
        Files.createDirectories(base.resolve("bin"));
        Path passwordFile = base.resolve("superuser-password");
        String password = SuperuserPassword.readOrCreate(passwordFile);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                // initdb: the superuser gets its password at once and no login is trusted (these
                // come after the library's own "-A trust" on the command line, so they win)
                .setLocaleConfig("auth", "scram-sha-256")
                .setLocaleConfig("pwfile", passwordFile.toString())
                // before every start: password logins over loopback only, from the first moment
                .setDataDirectoryCustomizer(dir -> writeAccessRules(dir.toPath()))
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(base.resolve("bin").toFile())
                .setPort(port)
                .setPGStartupWait(STARTUP_WAIT)
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("max_connections", "100")
                .setServerConfig("unix_socket_directories", "")
                .setConnectConfig("password", password)
                .start();
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(pg, password, owner);
        try {
            server.closeAccess(data);
            server.createDatabase();
        } catch (SQLException e) {
            server.close();
            throw e;
        }
        LOG.info("Embedded PostgreSQL running on 127.0.0.1:{} with data in {}", pg.getPort(), data);
        return server;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    int port() {
        return postgres.getPort();
    }

    /** The superuser's password; never logged. */
    String password() {
        return password;
    }

    /**
     * Sets the superuser password and allows only password (scram) logins over 127.0.0.1. Run on
     * every start, so a cluster initialised with trust, or by an older version, is closed too.
     */
    private void closeAccess(Path data) throws SQLException, IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("ALTER ROLE " + USER + " PASSWORD '" + password + "'");
        }
    }

    /** {@code pg_hba.conf}: scram logins over 127.0.0.1 only; written before the server starts. */
    static void writeAccessRules(Path data) {
        try {
            Files.writeString(data.resolve("pg_hba.conf"), "# Written by Portcullis before every start: password logins over loopback only.\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + data.resolve("pg_hba.conf") + ": " + e.getMessage(), e);
        }
    }

    private void createDatabase() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            st.execute("CREATE DATABASE " + DATABASE);
        }
    }

    /** Fails at once with the cause; PostgreSQL itself would only make the library time out. */
    private static void requireFreePort(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IOException("port 127.0.0.1:" + port + " is in use by another program; set embedded.port in "
                    + "etc/org.portcullis.storage.cfg to a free port", e);
        }
    }

    /** Stops a postmaster that still runs on {@code data} (its JVM was killed) and waits for it. */
    static void stopOrphan(Path data) throws IOException {
        Optional<ProcessHandle> orphan = postmaster(data);
        if (orphan.isEmpty()) {
            return;
        }
        ProcessHandle ph = orphan.get();
        LOG.warn("A PostgreSQL server (pid {}) from an earlier run still uses {}; stopping it", ph.pid(), data);
        ph.destroy();
        try {
            ph.onExit().get(STARTUP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("PostgreSQL pid " + ph.pid() + " on " + data + " did not stop; stop it by hand", e);
        }
    }

    /** The live postmaster recorded in {@code data/postmaster.pid}, if that process is a postgres. */
    static Optional<ProcessHandle> postmaster(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(cmd -> cmd.endsWith("postgres")).orElse(false));
    }

    @Override
    public void close() {
        try {
            postgres.close();
            LOG.info("Embedded PostgreSQL stopped");
        } catch (IOException e) {
            LOG.error("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        } finally {
            try {
                owner.close(); // releases the lock
            } catch (IOException e) {
                LOG.warn("cannot release {}: {}", "owner.lock", e.getMessage());
            }
        }
    }
}
