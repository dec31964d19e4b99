package org.portcullis.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL server ({@code postgresql}, the newest under {@code /usr/lib/postgresql}),
 * a cluster of its own made by {@code initdb} in a fresh directory and served on 127.0.0.1 at a
 * free port, trust authentication for user {@code postgres} on loopback only. As root it runs as
 * the {@code postgres} user the package creates (PostgreSQL refuses to run as root). The system's
 * own cluster is never touched.
 */
final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path data;
    private final boolean asPostgres;
    final int port;

    private PostgresServer(Path bin, Path data, boolean asPostgres, int port) {
        this.bin = bin;
        this.data = data;
        this.asPostgres = asPostgres;
        this.port = port;
    }

    /** The binaries of the newest installed server, or null when Debian's {@code postgresql} is not installed. */
    static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D.*", ""))))
                    .map(v -> v.resolve("bin")).orElse(null);
        }
    }

    /** Makes a new cluster and starts it. */
    static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("Debian's postgresql is not installed (./run-tests installs it)");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        // under /tmp: the postgres user cannot enter the build's directories when root owns them
        Path data = Files.createTempDirectory("portcullis-pg-");
        PostgresServer pg = new PostgresServer(bin, data.resolve("data"), root, Distribution.freePort());
        if (root) {
            pg.run(List.of("chown", "postgres:postgres", data.toString()), false);
        }
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-sync"), true);
        Files.writeString(pg.data.resolve("postgresql.auto.conf"), String.join("\n", "listen_addresses = '127.0.0.1'",
                "port = " + pg.port, "unix_socket_directories = '" + data + "'", "fsync = on", "max_connections = 200", ""),
                StandardCharsets.UTF_8);
        if (root) {
            pg.run(List.of("chown", "postgres:postgres", pg.data.resolve("postgresql.auto.conf").toString()), false);
        }
        pg.run(List.of(bin.resolve("pg_ctl").toString(), "-D", pg.data.toString(), "-l", data.resolve("server.log").toString(), "-w",
                "-t", "60", "start"), true);
        return pg;
    }

    /**
     * A streaming standby of this server ({@code pg_basebackup -R}), in a directory of its own on
     * another free port, started and replicating.
     */
    PostgresServer standby() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("portcullis-pg-standby-");
        if (asPostgres) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false);
        }
        PostgresServer standby = new PostgresServer(bin, dir.resolve("data"), asPostgres, Distribution.freePort());
        run(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                "-D", standby.data.toString(), "-R", "-X", "stream", "--no-sync"), true);
        // the copied settings are the primary's: the standby's own port and socket directory go last, and win
        run(List.of("sh", "-c", "printf \"port = %s\\nunix_socket_directories = '%s'\\n\" " + standby.port + " " + dir
                + " >> " + standby.data.resolve("postgresql.auto.conf")), true);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", standby.data.toString(), "-l", dir.resolve("server.log").toString(), "-w",
                "-t", "60", "start"), true);
        return standby;
    }

    /** Promotes this standby to a primary and waits until it accepts writes. */
    void promote() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "promote"), true);
    }

    /** Stops the server at once, as a crash would ({@code -m immediate}); its files stay until {@link #close}. */
    void crash() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), true);
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The {@code org.portcullis.storage} settings that point a distribution here. */
    String storageConfig() {
        return "url = " + url() + "\nuser = postgres\n";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", "");
    }

    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (asServerUser && asPostgres) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(command);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                crash();
            }
        } finally {
            try (Stream<Path> all = Files.walk(data.getParent())) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
