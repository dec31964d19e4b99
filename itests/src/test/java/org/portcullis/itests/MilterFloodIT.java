package org.portcullis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A peer on the milter port that is not Postfix: floods of connections, macros, headers, body
 * bytes and trickled frames against the running distribution (512 MiB of heap). After each, the
 * heap (after a full collection) and the open file descriptors are back near where they were,
 * and ordinary mail still gets its answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MilterFloodIT {

    private static final int MAX_CONNECTIONS = 100;
    private static final long HEAP_SLACK = 32L << 20;
    private static final long FD_SLACK = 30;

    private Distribution dist;
    private long heapBefore;
    private long filesBefore;

    @BeforeAll
    void start() throws Exception {
        dist = Distribution.unpack(Paths.get("target", "milter-flood-it", Long.toString(System.nanoTime())).toAbsolutePath());
        Files.writeString(dist.home.resolve("etc/org.portcullis.milter.cfg"), "max.connections = " + MAX_CONNECTIONS + "\n"
                + "frame.timeout.seconds = 3\n", java.nio.file.StandardOpenOption.APPEND);
        dist.start(Map.of("JAVA_MAX_MEM", "512M"));
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (true) {
            try (MilterPeer mta = connect()) {
                mta.negotiate();
                if (mta.message().get(0).toString().startsWith("h X-Portcullis")) {
                    break;
                }
            } catch (IOException notYet) {
                assertTrue(System.nanoTime() < end, "the milter never answered:\n" + dist.console());
                Thread.sleep(300);
            }
        }
        heapBefore = dist.heapUsedAfterGc();
        filesBefore = dist.openFiles();
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Order(1)
    void aConnectionFloodIsCappedAndTheDescriptorsComeBack() throws Exception {
        List<Socket> flood = new ArrayList<>();
        int closedAtOnce = 0;
        try {
            for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
                flood.add(new Socket("127.0.0.1", dist.milterPort));
            }
            for (Socket s : flood) {
                s.setSoTimeout(50);
                try {
                    if (s.getInputStream().read() < 0) {
                        closedAtOnce++;
                    }
                } catch (SocketTimeoutException held) {
                    // one of the connections within the limit
                } catch (IOException reset) {
                    closedAtOnce++;
                }
            }
            assertTrue(dist.openFiles() <= filesBefore + MAX_CONNECTIONS + FD_SLACK, "descriptors held: " + dist.openFiles());
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertTrue(closedAtOnce >= 2 * MAX_CONNECTIONS - 5, closedAtOnce + " of " + 3 * MAX_CONNECTIONS + " closed at once");
        assertTrue(Files.readString(log()).contains("connections are open, the limit (max.connections"), "one log line says why");
        assertRecovered();
    }

    @Test
    @Order(2)
    void macrosOfNewNamesCannotFillTheHeap() throws Exception {
        byte[] mib = new byte[1 << 20];
        java.util.Arrays.fill(mib, (byte) 'm');
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            try {
                for (int i = 0; i < 150; i++) {
                    mta.send('D', new byte[] {'C'}, MilterPeer.cstr("{flood" + i + "}"), mib, new byte[] {0});
                }
            } catch (IOException closedWhileSending) {
                // the milter hung up mid-flood: what is checked next
            }
            assertTrue(mta.closedByMilter(), "past the macro limit the connection is closed");
        }
        assertRecovered();
    }

    @Test
    @Order(3)
    void headersPastTheirLimitAreNotKeptAndTheMessageIsRefused() throws Exception {
        byte[] mib = new byte[1 << 20];
        java.util.Arrays.fill(mib, (byte) 'v');
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            mta.envelope();
            for (int i = 0; i < 150; i++) {
                mta.send('L', MilterPeer.cstr("X-Flood-" + i), mib, new byte[] {0});
            }
            // the message is still open: what it holds now is what the headers cost
            assertTrue(dist.heapUsedAfterGc() < heapBefore + HEAP_SLACK, "heap with 150 MiB of headers sent: " + dist.heapUsedAfterGc());
            mta.send('N');
            List<MilterPeer.Reply> end = mta.end();
            assertTrue(end.get(end.size() - 1).toString().startsWith("y 552 5.3.4 Message header too large"), end.toString());
        }
        assertRecovered();
    }

    @Test
    @Order(4)
    void aMessagePastTheSizeLimitIsRefusedWith552AndNothingOfItIsKept() throws Exception {
        byte[] chunk = new byte[65535];
        java.util.Arrays.fill(chunk, (byte) 'b');
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            mta.envelope();
            mta.send('L', MilterPeer.cstr("Subject"), MilterPeer.cstr("big"));
            mta.send('N');
            for (long sent = 0; sent < 200L << 20; sent += chunk.length) {
                mta.send('B', chunk);
            }
            assertTrue(dist.heapUsedAfterGc() < heapBefore + HEAP_SLACK, "heap with 200 MiB of body sent");
            assertEquals(0, spoolBytes(), "nothing of it on disk");
            List<MilterPeer.Reply> end = mta.end();
            assertEquals("y 552 5.3.4 Message too big for this gateway: more than 52428800 bytes", end.get(end.size() - 1).toString());
        }
        assertRecovered();
    }

    @Test
    @Order(5)
    void tricklingPeersAreClosedAtTheFrameDeadlineAndLeaveNothingBehind() throws Exception {
        List<Socket> trickles = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS - 10; i++) {
                Socket s = new Socket("127.0.0.1", dist.milterPort);
                s.setTcpNoDelay(true);
                // a 2 MiB frame begun: length, then the code of a body chunk
                s.getOutputStream().write(new byte[] {0, 0x20, 0, 0, 'B'});
                trickles.add(s);
            }
            long start = System.nanoTime();
            List<Socket> open = new ArrayList<>(trickles);
            while (!open.isEmpty() && System.nanoTime() - start < 20_000_000_000L) {
                for (Socket s : List.copyOf(open)) {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write('x');
                        out.flush();
                        s.setSoTimeout(1);
                        InputStream in = s.getInputStream();
                        if (in.read() < 0) {
                            open.remove(s);
                        }
                    } catch (SocketTimeoutException stillOpen) {
                        // not closed yet
                    } catch (IOException closed) {
                        open.remove(s);
                    }
                }
                Thread.sleep(500);
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertTrue(open.isEmpty(), open.size() + " of " + trickles.size() + " trickling connections still open after " + seconds + " s");
            assertTrue(seconds < 15, "closed within the 3 s frame deadline (and the check's own pace): " + seconds + " s");
        } finally {
            for (Socket s : trickles) {
                s.close();
            }
        }
        assertRecovered();
    }

    /** Heap and descriptors near the start, no OutOfMemoryError, and an ordinary message answered as before. */
    private void assertRecovered() throws Exception {
        long end = System.nanoTime() + Distribution.DEADLINE.toNanos();
        while (dist.openFiles() > filesBefore + FD_SLACK && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertTrue(dist.openFiles() <= filesBefore + FD_SLACK, "descriptors: " + filesBefore + " before, " + dist.openFiles() + " now");
        long heap = dist.heapUsedAfterGc();
        assertTrue(heap < heapBefore + HEAP_SLACK, "heap after a collection: " + (heapBefore >> 20) + " MiB before, " + (heap >> 20) + " MiB now");
        assertFalse(Files.readString(log()).contains("OutOfMemoryError"));
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            List<MilterPeer.Reply> replies = mta.message();
            assertEquals('a', replies.get(replies.size() - 1).code(), replies.toString());
        }
    }

    private MilterPeer connect() throws IOException {
        return new MilterPeer(new Socket("127.0.0.1", dist.milterPort));
    }

    private Path log() {
        return dist.home.resolve("data/log/karaf.log");
    }

    private long spoolBytes() throws IOException {
        Path spool = dist.home.resolve("data/portcullis/spool");
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (var files = Files.list(spool)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
