package org.portcullis.scanner.clamav.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.portcullis.scanner.ScanResult;

/**
 * Talks to clamd in sessions ({@code zIDSESSION\0}): a pool of open connections, each carrying
 * one INSTREAM scan at a time — {@code zINSTREAM\0}, chunks of (4-byte big-endian length,
 * bytes), a zero length — answered by {@code <id>: <result>\0}. At most {@code maxConnections}
 * scans run at once (clamd serves only {@code MaxThreads} at a time anyway). A connection goes
 * back to the pool only after a clean or infected answer; any error, a timeout or a limit closes
 * it. Idle connections older than {@code idleLimit} are closed rather than used (clamd drops
 * sessions after its {@code IdleTimeout}, 30 s by default); a reused connection that turns out
 * dead before its answer is replaced, and the scan sent again once, on a new one. Every exchange
 * has a deadline after which the connection is closed. Thread-safe.
 */
final class ClamdClient implements AutoCloseable {

    static final int CHUNK = 64 * 1024;

    /** Opens the data to scan; called again when a scan must be sent a second time. */
    interface Source {
        InputStream open() throws IOException;
    }

    /** One clamd session: a connection and the number of its next command. */
    private static final class Session {
        final SocketChannel channel;
        int nextId = 1;
        long idleSince;

        Session(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final ClamdAddress address;
    private final Duration timeout;
    private final long streamMaxBytes;
    private final Duration idleLimit;
    private final Semaphore connections;
    private final ScheduledExecutorService deadlines;
    private final Deque<Session> idle = new ConcurrentLinkedDeque<>();

    ClamdClient(ClamdAddress address, Duration timeout, long streamMaxBytes, int maxConnections,
            ScheduledExecutorService deadlines) {
        this(address, timeout, streamMaxBytes, maxConnections, Duration.ofSeconds(20), deadlines);
    }

    ClamdClient(ClamdAddress address, Duration timeout, long streamMaxBytes, int maxConnections, Duration idleLimit,
            ScheduledExecutorService deadlines) {
        this.address = address;
        this.timeout = timeout;
        this.streamMaxBytes = streamMaxBytes;
        this.idleLimit = idleLimit;
        this.connections = new Semaphore(maxConnections, true);
        this.deadlines = deadlines;
    }

    /** Scans {@code size} bytes from {@code data}; never throws for clamd's own failures, which become {@link ScanResult.Failed}. */
    ScanResult scan(Source data, long size) throws InterruptedException {
        if (size > streamMaxBytes) {
            return ScanResult.failed("message of " + size + " bytes exceeds the clamd stream limit of " + streamMaxBytes
                    + " bytes (StreamMaxLength); raise both to scan it");
        }
        if (!connections.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return ScanResult.failed("clamd at " + address.text() + ": all connections busy for " + timeout.toSeconds() + " s");
        }
        try {
            Session reused = pooled();
            if (reused != null) {
                try {
                    return scanOn(reused, data);
                } catch (AsynchronousCloseException timeoutOrInterrupt) {
                    throw timeoutOrInterrupt;
                } catch (IOException deadBeforeAnswer) {
                    // clamd dropped the idle session: send it again on a new connection, once
                }
            }
            return scanOn(openSession(), data);
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

    /** Whether clamd answers PING with PONG within the timeout (on a connection of its own). */
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

    /** Connections open now in the pool (for tests and status). */
    int idleConnections() {
        return idle.size();
    }

    /** Ends every pooled session. */
    @Override
    public void close() {
        for (Session s; (s = idle.pollFirst()) != null;) {
            closeQuietly(s.channel);
        }
    }

    /** A pooled session young enough to trust, or {@code null}; stale ones are closed on the way. */
    private Session pooled() {
        long now = System.nanoTime();
        for (Session s; (s = idle.pollFirst()) != null;) {
            if (now - s.idleSince < idleLimit.toNanos() && s.channel.isOpen()) {
                return s;
            }
            closeQuietly(s.channel);
        }
        return null;
    }

    private Session openSession() throws IOException {
        SocketChannel ch = open();
        try {
            write(ch, "zIDSESSION\0".getBytes(StandardCharsets.US_ASCII));
            return new Session(ch);
        } catch (IOException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * One INSTREAM on {@code session}. Returns the result (and pools the session after a clean
     * or infected answer); throws IOException only when the connection failed before any answer.
     */
    private ScanResult scanOn(Session session, Source data) throws IOException {
        boolean keep = false;
        ScheduledFuture<?> deadline = deadline(session.channel);
        try {
            int id = session.nextId++;
            String reply = exchange(session.channel, data);
            if (reply.isEmpty()) {
                throw new IOException("clamd closed the connection without a reply");
            }
            String prefix = id + ": ";
            ScanResult result = parse(reply.startsWith(prefix) ? reply.substring(prefix.length()) : reply);
            keep = reply.startsWith(prefix) && !(result instanceof ScanResult.Failed);
            return result;
        } finally {
            deadline.cancel(false);
            if (keep && session.channel.isOpen()) {
                session.idleSince = System.nanoTime();
                idle.offerFirst(session);
            } else {
                closeQuietly(session.channel);
            }
        }
    }

    /**
     * One INSTREAM exchange. The command, the chunks and the terminator go out in as few writes
     * as the data allows: a message of up to one chunk is a single write. (Three small writes on a
     * socket with Nagle's algorithm made the later ones wait for clamd's delayed ACK, 40 ms and
     * more per scan; {@link #open} also switches Nagle off.)
     */
    static String exchange(ByteChannel ch, Source data) throws IOException {
        byte[] command = "zINSTREAM\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(command.length + 4 + CHUNK + 4);
        out.put(command);
        byte[] chunk = new byte[CHUNK];
        try (InputStream in = data.open()) {
            for (int n; (n = in.readNBytes(chunk, 0, CHUNK)) > 0;) {
                if (out.remaining() < 4 + n + 4) {
                    out.flip();
                    writeFully(ch, out);
                    out.clear();
                }
                out.putInt(n).put(chunk, 0, n);
            }
            out.putInt(0); // zero length: end of stream
            out.flip();
            writeFully(ch, out);
        } catch (AsynchronousCloseException e) {
            throw e;
        } catch (IOException writeFailed) {
            // clamd closes early on a size limit or error; its reply says why
            String reply = readReply(ch);
            if (reply.isEmpty()) {
                throw writeFailed;
            }
            return reply;
        }
        return readReply(ch);
    }

    /** A connection to clamd; over TCP with Nagle's algorithm off, as every write here is a whole request. */
    SocketChannel open() throws IOException {
        SocketChannel ch = SocketChannel.open(address.family());
        try {
            if (address.family() != java.net.StandardProtocolFamily.UNIX) {
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            }
            ch.connect(address.connectable());
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect: " + e.getMessage(), e);
        }
    }

    private ScheduledFuture<?> deadline(SocketChannel ch) {
        return deadlines.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is the point
        }
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

    private static void write(ByteChannel ch, byte[] bytes) throws IOException {
        writeFully(ch, ByteBuffer.wrap(bytes));
    }

    private static void writeFully(ByteChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    private static String readReply(ByteChannel ch) throws IOException {
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
