package org.portcullis.itests;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's BIND ({@code named}) on loopback as the primary of the zone {@code portcullis.test}
 * (every name in it is 127.0.0.1), taking RFC 2136 updates signed with a TSIG key it makes
 * ({@link #keyFile()}): what an admin's DNS server is to the nsupdate DNS-01 solver.
 * pebble-challtestsrv answers DNS but takes no updates, hence BIND here.
 */
final class BindServer implements AutoCloseable {

    static final Path NAMED = Path.of("/usr/sbin/named");

    final int port;
    private final Path dir;
    private final Process process;

    private BindServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static BindServer start(Path dir) throws Exception {
        if (!Files.isExecutable(NAMED)) {
            throw new IllegalStateException(NAMED + " not found: run ./run-tests, which installs bind9");
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("key.conf"), PostfixInstance.run("/usr/sbin/tsig-keygen", "-a", "hmac-sha256", "portcullis-acme"));
        Files.writeString(dir.resolve("portcullis.test.zone"), String.join("\n", "$TTL 60",
                "@ IN SOA ns.portcullis.test. hostmaster.portcullis.test. 1 60 60 600 60", "@ IN NS ns.portcullis.test.", "ns IN A 127.0.0.1",
                "* IN A 127.0.0.1", ""));
        int port = freeUdpAndTcpPort();
        Files.writeString(dir.resolve("named.conf"), String.join("\n", "include \"" + dir.resolve("key.conf") + "\";", "options {",
                "  directory \"" + dir + "\";", "  pid-file \"" + dir.resolve("named.pid") + "\";", "  session-keyfile \"" + dir.resolve("session.key") + "\";",
                "  managed-keys-directory \"" + dir + "\";", "  listen-on port " + port + " { 127.0.0.1; };", "  listen-on-v6 { none; };",
                "  recursion no;", "  dnssec-validation no;", "  allow-query { 127.0.0.1; };", "};", "controls { };",
                "zone \"portcullis.test\" {", "  type primary;", "  file \"" + dir.resolve("portcullis.test.zone") + "\";",
                "  allow-update { key \"portcullis-acme\"; };", "};", ""));
        Process p = new ProcessBuilder(NAMED.toString(), "-g", "-n", "1", "-c", dir.resolve("named.conf").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("named.log").toFile()).start();
        BindServer server = new BindServer(dir, port, p);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!server.log().contains("running")) {
            if (System.nanoTime() > end || !p.isAlive()) {
                server.close();
                throw new IOException("named did not start: " + server.log());
            }
            Thread.sleep(100);
        }
        return server;
    }

    private static int freeUdpAndTcpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port = Distribution.freePort();
            try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getByName("127.0.0.1"))) {
                return port;
            } catch (IOException e) {
                // taken for UDP: another
            }
        }
        throw new IOException("no port free for both TCP and UDP");
    }

    Path keyFile() {
        return dir.resolve("key.conf");
    }

    String log() {
        try {
            return Files.readString(dir.resolve("named.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The TXT records of {@code name} now ({@code dig}). */
    String txt(String name) throws Exception {
        return PostfixInstance.run("dig", "@127.0.0.1", "-p", Integer.toString(port), "+short", "TXT", name).strip();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
