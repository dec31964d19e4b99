package org.portcullis.milter.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.portcullis.milter.internal.codec.Frames.concat;
import static org.portcullis.milter.internal.codec.Frames.frame;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.policy.Verdict;
import org.portcullis.milter.internal.session.Limits;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.SessionSettings;
import org.portcullis.milter.internal.session.Transaction;

/** A peer that is not a well-behaved MTA: what it can make the milter hold is bounded, and each bound is answered. */
class MilterLimitsTest {

    private static final int ALL_ACTIONS = 0x1ff;
    private static final int ALL_STEPS = 0x1fffff;

    @TempDir
    Path spoolDir;

    private MilterServer server;
    private final List<Map<String, String>> macrosAtEnd = new CopyOnWriteArrayList<>();

    private void start(Limits limits) throws InterruptedException {
        SessionSettings settings = new SessionSettings(limits, spoolDir, 32 * 1024, ALL_ACTIONS, 0, Duration.ofSeconds(30),
                Duration.ofSeconds(10), r -> { });
        server = MilterServer.start(new java.net.InetSocketAddress("127.0.0.1", 0), settings, () -> new MilterFilter() {
            public java.util.Optional<Verdict> mail(Transaction tx) {
                return java.util.Optional.empty();
            }

            public java.util.Optional<Verdict> rcpt(Transaction tx, String recipient) {
                return java.util.Optional.empty();
            }

            public CompletionStage<Verdict> endOfMessage(Transaction tx) {
                macrosAtEnd.add(tx.macros());
                return CompletableFuture.completedFuture(new Verdict.Deliver(List.of()));
            }
        });
    }

    private static Limits limits(int connections, Duration frameTimeout, int macroBytes, long headerBytes, long messageBytes) {
        return new Limits(connections, 1 << 20, frameTimeout, macroBytes, headerBytes, messageBytes);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectionsPastTheLimitAreClosedAtOnceAndAFreedPlaceIsUsedAgain() throws Exception {
        start(limits(3, Duration.ofSeconds(30), 1 << 16, 1 << 20, 1 << 20));
        List<MtaClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(negotiated());
            }
            try (MtaClient fourth = new MtaClient(server.address())) {
                assertTrue(fourth.closedByServer(), "the fourth connection is closed as it arrives");
            }
            open.remove(0).close();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() > 2 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            try (MtaClient again = negotiated()) {
                assertEquals('c', again.call(frame('C', "h", '4', (short) 1, "192.0.2.1")), "a freed place takes a new connection");
            }
        } finally {
            for (MtaClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void onlyTheCurrentStagesMacrosAreKeptAndTheirSizeIsBounded() throws Exception {
        start(limits(10, Duration.ofSeconds(30), 64 * 1024, 1 << 20, 1 << 20));
        try (MtaClient mta = negotiated()) {
            mta.send(frame('D', 'C', "j", "mx.example.org"));
            assertEquals('c', mta.call(frame('C', "h", '4', (short) 1, "192.0.2.1")));
            mta.send(frame('D', 'M', "i", "QUEUE1", "{mail_addr}", "a@example.com"));
            message(mta);
            mta.send(frame('E'));
            assertEquals('a', mta.read().code());
            mta.send(frame('D', 'M', "{mail_addr}", "b@example.com"));
            message(mta);
            mta.send(frame('E'));
            assertEquals('a', mta.read().code());
            assertEquals(Map.of("j", "mx.example.org", "i", "QUEUE1", "{mail_addr}", "a@example.com"), macrosAtEnd.get(0));
            assertEquals(Map.of("j", "mx.example.org", "{mail_addr}", "b@example.com"), macrosAtEnd.get(1),
                    "the first message's macros ended with it");
            // the same stage sent again and again replaces itself: no growth
            String big = "x".repeat(30_000);
            for (int i = 0; i < 20; i++) {
                mta.send(frame('D', 'M', "{big}", big));
            }
            assertEquals('c', mta.call(frame('M', "<a@example.com>")), "20 x 30 KB for one stage is still 30 KB");
            // new names in other stages add up: past 64 KiB the connection is closed
            mta.send(frame('D', 'R', "{r}", big));
            mta.send(frame('D', 'T', "{t}", big));
            assertTrue(mta.closedByServer(), "90 KB of macros in force exceed the limit");
        }
    }

    @Test
    void headersPastTheirLimitAreRefusedAtTheEndWith552AndTheConnectionGoesOn() throws Exception {
        start(limits(10, Duration.ofSeconds(30), 1 << 16, 2_000, 1 << 20));
        try (MtaClient mta = negotiated()) {
            assertEquals('c', mta.call(frame('C', "h", '4', (short) 1, "192.0.2.1")));
            assertEquals('c', mta.call(frame('M', "<a@example.com>")));
            assertEquals('c', mta.call(frame('R', "<b@example.com>")));
            for (int i = 0; i < 30; i++) {
                assertEquals('c', mta.call(frame('L', "X-Filler-" + i, "y".repeat(100))));
            }
            assertEquals('c', mta.call(frame('N')));
            mta.send(frame('E'));
            MtaClient.Reply r = mta.read();
            assertEquals('y', r.code());
            assertTrue(r.text().startsWith("552 5.3.4 Message header too large"), r.text());
            assertTrue(macrosAtEnd.isEmpty(), "the filter never saw the message");
            message(mta);
            mta.send(frame('E'));
            assertEquals('a', mta.read().code(), "the next message is judged as usual");
        }
    }

    @Test
    void aMessagePastTheSizeLimitIsRefusedWith552AndItsSpoolGoesAtOnce() throws Exception {
        start(limits(10, Duration.ofSeconds(30), 1 << 16, 1 << 20, 100_000));
        try (MtaClient mta = negotiated()) {
            message(mta);
            byte[] chunk = new byte[65535];
            assertEquals('c', mta.call(frame('B', chunk)));
            assertEquals(1, spoolFiles(), "64 KiB is on disk (memory limit 32 KiB)");
            for (int i = 0; i < 4; i++) {
                assertEquals('c', mta.call(frame('B', chunk)));
            }
            assertEquals(0, spoolFiles(), "past the limit nothing of the message is kept");
            mta.send(frame('E'));
            MtaClient.Reply r = mta.read();
            assertEquals('y', r.code());
            assertEquals("552 5.3.4 Message too big for this gateway: more than 100000 bytes", r.text());
            message(mta);
            mta.send(frame('E'));
            assertEquals('a', mta.read().code());
        }
    }

    @Test
    void aPeerTricklingAFrameIsClosedAtTheFrameDeadlineThoughNeverIdle() throws Exception {
        start(limits(10, Duration.ofMillis(800), 1 << 16, 1 << 20, 1 << 20));
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(concat(frame('O', 6, ALL_ACTIONS, ALL_STEPS)));
            out.write(new byte[] {0, 0, 4, 0, 'B'}); // a 1 KiB body frame, begun
            out.flush();
            Thread dribbler = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        out.write('x');
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server closed the connection: what this test waits for
                }
            });
            dribbler.start();
            long start = System.nanoTime();
            var in = socket.getInputStream();
            byte[] negotiation = in.readNBytes(17);
            assertEquals(17, negotiation.length);
            int end;
            try {
                end = in.read();
            } catch (java.net.SocketException reset) {
                end = -1; // closed while the dribbler was still writing: the peer sees a reset rather than the end of the stream
            }
            assertEquals(-1, end, "closed by the server");
            long seconds = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(seconds < 4000, "closed " + seconds + " ms after the frame began, though a byte came every 100 ms");
            dribbler.join(10_000);
            assertFalse(dribbler.isAlive());
        }
    }

    private MtaClient negotiated() throws IOException {
        MtaClient mta = new MtaClient(server.address());
        assertEquals('O', mta.call(frame('O', 6, ALL_ACTIONS, ALL_STEPS)));
        return mta;
    }

    private static void message(MtaClient mta) throws IOException {
        assertEquals('c', mta.call(frame('M', "<a@example.com>")));
        assertEquals('c', mta.call(frame('R', "<b@example.com>")));
        assertEquals('c', mta.call(frame('T')));
        assertEquals('c', mta.call(frame('L', "Subject", "x")));
        assertEquals('c', mta.call(frame('N')));
    }

    private long spoolFiles() throws IOException {
        try (var files = Files.list(spoolDir)) {
            return files.count();
        }
    }
}
