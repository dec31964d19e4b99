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
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), true);
        } finally {
            try (Stream<Path> all = Files.walk(data.getParent())) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
