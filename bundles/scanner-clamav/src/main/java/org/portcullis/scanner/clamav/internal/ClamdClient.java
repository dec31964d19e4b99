package org.portcullis.scanner.clamav.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.portcullis.scanner.ScanResult;

/**
 * Talks clamd's INSTREAM protocol: {@code zINSTREAM\0}, chunks of (4-byte big-endian length,
 * bytes), a zero length, then one NUL-terminated reply. One connection per scan, at most
 * {@code maxConnections} at once (clamd serves only {@code MaxThreads} scans at a time anyway);
 * every exchange has a deadline after which the connection is closed. Thread-safe.
 */
final class ClamdClient {

    static final int CHUNK = 64 * 1024;

    private final ClamdAddress address;
    private final Duration timeout;
    private final long streamMaxBytes;
    private final Semaphore connections;
    private final ScheduledExecutorService deadlines;

    ClamdClient(ClamdAddress address, Duration timeout, long streamMaxBytes, int maxConnections,
            ScheduledExecutorService deadlines) {
        this.address = address;
        this.timeout = timeout;
        this.streamMaxBytes = streamMaxBytes;
        this.connections = new Semaphore(maxConnections, true);
        this.deadlines = deadlines;
    }

    /** Scans {@code size} bytes from {@code data}; never throws for clamd's own failures, which become {@link ScanResult.Failed}. */
    ScanResult scan(InputStream data, long size) throws InterruptedException {
        if (size > streamMaxBytes) {
            return ScanResult.failed("message of " + size + " bytes exceeds the clamd stream limit of " + streamMaxBytes
                    + " bytes (StreamMaxLength); raise both to scan it");
        }
        if (!connections.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return ScanResult.failed("clamd at " + address.text() + ": all connections busy for " + timeout.toSeconds() + " s");
        }
        try {
            return parse(exchange(data));
        } catch (AsynchronousCloseException e) {
            if (e instanceof ClosedByInterruptException) {
                throw new InterruptedException("scan interrupted");
            }
            return ScanResult.failed("clamd at " + address.text() + " did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            return ScanResult.failed("clamd at " + address.text() + ": " + e.getMessage());
        } finally {
            connections.release();
        }
    }

    /** Whether clamd answers PING with PONG within the timeout. */
    boolean ping() {
        try (SocketChannel ch = open()) {
            ScheduledFuture<?> deadline = deadline(ch);
            try {
                write(ch, "zPING\0".getBytes(StandardCharsets.US_ASCII));
                return "PONG".equals(readReply(ch));
            } finally {
                deadline.cancel(false);
            }
        } catch (IOException e) {
            return false;
        }
    }

    private String exchange(InputStream data) throws IOException {
        try (SocketChannel ch = open()) {
            ScheduledFuture<?> deadline = deadline(ch);
            try {
                write(ch, "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
                ByteBuffer frame = ByteBuffer.allocate(4 + CHUNK);
                byte[] chunk = new byte[CHUNK];
                try {
                    for (int n; (n = data.readNBytes(chunk, 0, CHUNK)) > 0;) {
                        frame.clear();
                        frame.putInt(n).put(chunk, 0, n).flip();
                        writeFully(ch, frame);
                    }
                    writeFully(ch, ByteBuffer.allocate(4)); // zero length: end of stream
                } catch (IOException writeFailed) {
                    // clamd closes early on a size limit or error; its reply says why
                    String reply = readReply(ch);
                    if (reply.isEmpty()) {
                        throw writeFailed;
                    }
                    return reply;
                }
                return readReply(ch);
            } finally {
                deadline.cancel(false);
            }
        }
    }

    private SocketChannel open() throws IOException {
        SocketChannel ch = SocketChannel.open(address.family());
        try {
            ch.connect(address.connectable());
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect: " + e.getMessage(), e);
        }
    }

    private ScheduledFuture<?> deadline(SocketChannel ch) {
        return deadlines.schedule(() -> {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is the point
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static ScanResult parse(String reply) {
        String r = reply.strip();
        if (r.equals("stream: OK")) {
            return ScanResult.clean();
        }
        if (r.startsWith("stream: ") && r.endsWith(" FOUND")) {
            return ScanResult.infected(r.substring("stream: ".length(), r.length() - " FOUND".length()));
        }
        if (r.isEmpty()) {
            return ScanResult.failed("clamd closed the connection without a reply");
        }
        return ScanResult.failed("clamd: " + r);
    }

    private static void write(SocketChannel ch, byte[] bytes) throws IOException {
        writeFully(ch, ByteBuffer.wrap(bytes));
    }

    private static void writeFully(SocketChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    private static String readReply(SocketChannel ch) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer);
            if (n < 0) {
                break;
            }
            if (buffer.position() > 0 && buffer.get(buffer.position() - 1) == 0) {
                break;
            }
        }
        int end = buffer.position();
        if (end > 0 && buffer.get(end - 1) == 0) {
            end--;
        }
        return new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1);
    }
}
