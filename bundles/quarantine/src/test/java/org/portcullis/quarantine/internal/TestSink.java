package org.portcullis.quarantine.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} on a free loopback port, writing each message it accepts to a file
 * (LF line ends, dots unstuffed, one empty line more, after its X-Client-Addr … X-Rcpt-Args lines):
 * the release's real SMTP listener in unit tests (the test-jar shares it).
 */
public final class TestSink implements AutoCloseable {

    public final int port;
    private final Path dir;
    private final Process process;

    private TestSink(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** Starts one under /tmp: smtp-sink, run as root, drops to the postfix user, which must reach and write its directory. */
    public static TestSink start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("portcullis-sink-");
        Path dumps = Files.createDirectories(dir.resolve("sink"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> command = new ArrayList<>(List.of("/usr/sbin/smtp-sink"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "postfix"));
        }
        command.addAll(List.of("-d", dumps + "/%H%M%S.", "127.0.0.1:" + port, "10"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("sink.out").toFile()).start();
        TestSink sink = new TestSink(port, dir, p);
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return sink;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        sink.close();
        throw new IllegalStateException("smtp-sink never listened on " + port + ": " + Files.readString(dir.resolve("sink.out")));
    }

    /** Every message received so far, in the order of their files' names. */
    public List<String> messages() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("sink"))) {
            return files.sorted().map(p -> {
                try {
                    return Files.readString(p, StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    /** Stops it; its messages stay readable until {@link #close}. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
