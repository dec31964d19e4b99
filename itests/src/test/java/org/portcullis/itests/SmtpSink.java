package org.portcullis.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} on a loopback port, writing every message it receives to a file of
 * its own in a dump directory: the last hop, where the tests count what arrived.
 */
final class SmtpSink implements AutoCloseable {

    static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");

    final int port;
    private final Path dir;
    private final Path dumps;
    private final Process process;

    private SmtpSink(int port, Path dir, Path dumps, Process process) {
        this.port = port;
        this.dir = dir;
        this.dumps = dumps;
        this.process = process;
    }

    /**
     * Starts a sink in a fresh directory under {@code /tmp} (smtp-sink runs as the postfix user,
     * which may not be able to traverse the build directory); {@link #close()} removes it.
     */
    static SmtpSink start() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-sink-");
        if (!Files.isExecutable(SMTP_SINK)) {
            throw new IllegalStateException(SMTP_SINK + " not found: run ./run-tests, which installs postfix");
        }
        Path dumps = Files.createDirectories(dir.resolve("sink"));
        // smtp-sink drops root for the 'postfix' user, which must be able to write here
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = Distribution.freePort();
        List<String> command = new ArrayList<>(List.of(SMTP_SINK.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "postfix"));
        }
        command.addAll(List.of("-d", dumps + "/msg-%H%M%S.", "127.0.0.1:" + port, "64"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("smtp-sink.out").toFile()).start();
        SmtpSink sink = new SmtpSink(port, dir, dumps, p);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return sink;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("smtp-sink exited: " + Files.readString(dir.resolve("smtp-sink.out")));
                }
                Thread.sleep(50);
            }
        }
        sink.close();
        throw new IllegalStateException("smtp-sink did not listen on " + port);
    }

    /** Every complete message received so far (a message is complete once its end marker is in). */
    List<String> messages(String endMarker) throws IOException {
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dumps)) {
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (text.contains(endMarker)) {
                    all.add(text);
                }
            }
        }
        return all;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        // the dumps belong to the postfix user
        PostfixInstance.run(PostfixInstance.sudo("rm", "-rf", dir.toString()));
    }
}
