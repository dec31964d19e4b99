package org.portcullis.scanner.clamav.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Test;

/**
 * How a scan goes out on the wire. Sent as three small writes on a socket with Nagle's algorithm,
 * the later writes waited for clamd's delayed ACK (44 ms per 4 KiB scan measured, against 0.4 ms):
 * a small message is now one write, and TCP connections have Nagle off.
 */
class ClamdRequestTest {

    /** A channel that keeps every write apart and answers clamd's reply. */
    private static final class Recording implements ByteChannel {
        final List<byte[]> writes = new ArrayList<>();
        final ByteBuffer reply = ByteBuffer.wrap("1: stream: OK\0".getBytes(StandardCharsets.US_ASCII));

        public int write(ByteBuffer src) {
            byte[] b = new byte[src.remaining()];
            src.get(b);
            writes.add(b);
            return b.length;
        }

        public int read(ByteBuffer dst) {
            if (!reply.hasRemaining()) {
                return -1;
            }
            int n = Math.min(dst.remaining(), reply.remaining());
            dst.put(reply.array(), reply.position(), n);
            reply.position(reply.position() + n);
            return n;
        }

        public boolean isOpen() {
            return true;
        }

        public void close() {
        }
    }

    private static byte[] expected(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
        for (int at = 0; at < data.length; at += ClamdClient.CHUNK) {
            int n = Math.min(ClamdClient.CHUNK, data.length - at);
            out.writeBytes(ByteBuffer.allocate(4).putInt(n).array());
            out.write(data, at, n);
        }
        out.writeBytes(new byte[4]);
        return out.toByteArray();
    }

    @Test
    void aSmallMessageIsOneWriteCommandDataAndEnd() throws Exception {
        byte[] data = new byte[4096];
        new Random(1).nextBytes(data);
        Recording ch = new Recording();
        assertEquals("1: stream: OK", ClamdClient.exchange(ch, () -> new ByteArrayInputStream(data)));
        assertEquals(1, ch.writes.size(), "one write: nothing waits for an ACK");
        assertArrayEquals(expected(data), ch.writes.get(0));
    }

    @Test
    void aLargeMessageGoesOutInChunkSizedWritesWithNothingLost() throws Exception {
        byte[] data = new byte[150 * 1024];
        new Random(2).nextBytes(data);
        Recording ch = new Recording();
        ClamdClient.exchange(ch, () -> new ByteArrayInputStream(data));
        assertEquals(3, ch.writes.size(), "three chunks, three writes");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ch.writes.forEach(all::writeBytes);
        assertArrayEquals(expected(data), all.toByteArray());
        assertTrue(ch.writes.stream().allMatch(w -> w.length <= ClamdClient.CHUNK + 18), "no write holds more than a chunk");
    }

    @Test
    void tcpConnectionsHaveNagleOff() throws Exception {
        ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ClamdClient client = new ClamdClient(ClamdAddress.parse("127.0.0.1:" + fake.getLocalPort()), Duration.ofSeconds(5),
                        1 << 20, 1, deadlines);
                SocketChannel ch = client.open()) {
            assertTrue(ch.getOption(StandardSocketOptions.TCP_NODELAY));
        } finally {
            deadlines.shutdownNow();
        }
    }
}
