package org.portcullis.milter.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.portcullis.milter.internal.codec.Frames.concat;
import static org.portcullis.milter.internal.codec.Frames.frame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.milter.internal.codec.MilterProtocol;
import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.milter.internal.session.Limits;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.SessionSettings;
import org.portcullis.milter.internal.session.Transaction;
import org.portcullis.policy.Verdict;

/** Loopback round trips with our own MTA-side client against the real server. */
class MilterServerTest {

    private static final int ALL_ACTIONS = 0x1ff;
    private static final int ALL_STEPS = 0x1fffff;
    private static final int MEMORY_LIMIT = 32 * 1024;

    @TempDir
    Path spoolDir;

    private MilterServer server;

    /** What the test filter saw at end of message. */
    private final List<String> seen = new ArrayList<>();
    private Function<Transaction, CompletionStage<Verdict>> atEnd = tx -> CompletableFuture.completedFuture(
            new Verdict.Deliver(List.of(new Verdict.Header("X-Portcullis-Verdict", "clean"))));
    private Optional<Verdict> atMail = Optional.empty();
    private final List<org.portcullis.policy.MessageRecord> mailLog = new java.util.concurrent.CopyOnWriteArrayList<>();

    private void start(Duration idle, Duration progress) throws InterruptedException {
        server = MilterServer.start(new InetSocketAddress("127.0.0.1", 0), settings(idle, progress), this::filter);
    }

    private SessionSettings settings(Duration idle, Duration progress) {
        return new SessionSettings(Limits.generous(1 << 20), spoolDir, MEMORY_LIMIT, MilterProtocol.ACTION_ADD_HEADERS | MilterProtocol.ACTION_QUARANTINE, 0,
                idle, progress, mailLog::add);
    }

    private MilterFilter filter() {
        return new MilterFilter() {
            public Optional<Verdict> mail(Transaction tx) {
                return atMail;
            }

            public Optional<Verdict> rcpt(Transaction tx, String recipient) {
                return Optional.empty();
            }

            public CompletionStage<Verdict> endOfMessage(Transaction tx) {
                seen.add(tx.sender() + " -> " + tx.recipients() + " " + tx.headers().size() + " headers, "
                        + tx.spool().size() + " bytes, on disk " + tx.spool().onDisk());
                try (InputStream in = tx.spool().openStream()) {
                    seen.add(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return atEnd.apply(tx);
            }
        };
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aWholeMessageRoundTripsAndItsSpoolIsDeleted() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
        byte[] body = new byte[3 * 65535];
        new Random(7).nextBytes(body);
        try (MtaClient mta = new MtaClient(server.address())) {
            mta.send(frame('O', 6, ALL_ACTIONS, ALL_STEPS));
            MtaClient.Reply negotiated = mta.read();
            assertEquals('O', negotiated.code());
            // version 6, only the actions asked for and offered, all steps with replies
            assertArrayEquals(new byte[] {0, 0, 0, 6, 0, 0, 0, 0x21, 0, 0, 0, 0}, negotiated.payload());
            mta.send(frame('D', 'C', "j", "mx.example.org"));
            assertEquals('c', mta.call(frame('C', "client.example.com", '4', (short) 40000, "192.0.2.7")));
            assertEquals('c', mta.call(frame('H', "client.example.com")));
            assertEquals('c', mta.call(frame('M', "<alice@example.com>", "SIZE=300000")));
            assertEquals('c', mta.call(frame('R', "<bob@example.net>")));
            assertEquals('c', mta.call(frame('R', "<carol@example.net>")));
            assertEquals('c', mta.call(frame('T')));
            assertEquals('c', mta.call(frame('L', "From", "alice@example.com")));
            assertEquals('c', mta.call(frame('L', "Subject", "hello")));
            assertEquals('c', mta.call(frame('N')));
            for (int at = 0; at < body.length; at += 65535) {
                assertEquals('c', mta.call(frame('B', java.util.Arrays.copyOfRange(body, at, at + 65535))));
            }
            mta.send(frame('E'));
            MtaClient.Reply header = mta.read();
            assertEquals('h', header.code());
            assertEquals("X-Portcullis-Verdict\0clean", header.text());
            assertEquals('a', mta.read().code());

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes("From: alice@example.com\r\nSubject: hello\r\n\r\n".getBytes());
            expected.writeBytes(body);
            assertEquals("<alice@example.com> -> [<bob@example.net>, <carol@example.net>] 2 headers, "
                    + expected.size() + " bytes, on disk true", seen.get(0));
            assertArrayEquals(expected.toByteArray(), seen.get(1).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertEquals(0, spoolFiles(), "the spool file must be gone after the reply");

            // the connection serves the next message
            assertEquals('c', mta.call(frame('M', "<alice@example.com>")));
            mta.send(frame('Q'));
            assertTrue(mta.closedByServer());
        }
    }

    @Test
    void aFinalReplyAtMailEndsTheMessageAndTheNextOneStartsAtMail() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
        atMail = Optional.of(new Verdict.Tempfail("451 4.7.1 Maintenance, try again later"));
        try (MtaClient mta = negotiated()) {
            mta.send(frame('M', "<a@example.com>"));
            MtaClient.Reply code = mta.read();
            assertEquals('y', code.code());
            assertEquals("451 4.7.1 Maintenance, try again later", code.text());
            mta.send(frame('M', "<a@example.com>"));
            assertEquals('y', mta.read().code(), "the next MAIL is answered in turn");
        }
    }

    @Test
    void aSlowDecisionSendsProgressThenTheVerdict() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofMillis(100));
        atEnd = tx -> CompletableFuture.supplyAsync(() -> new Verdict.Deliver(List.of()),
                CompletableFuture.delayedExecutor(450, TimeUnit.MILLISECONDS));
        try (MtaClient mta = negotiated()) {
            message(mta);
            mta.send(frame('E'));
            int progress = 0;
            MtaClient.Reply r;
            while ((r = mta.read()).code() == 'p') {
                progress++;
            }
            assertEquals('a', r.code());
            assertTrue(progress >= 2, progress + " progress replies");
        }
    }

    @Test
    void aVerdictForAnAbortedMessageIsNeverSentForTheNextOne() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
        CompletableFuture<Verdict> first = new CompletableFuture<>();
        CompletableFuture<Verdict> second = new CompletableFuture<>();
        List<CompletableFuture<Verdict>> decisions = new ArrayList<>(List.of(first, second));
        atEnd = tx -> decisions.remove(0);
        try (MtaClient mta = negotiated()) {
            message(mta);
            mta.send(frame('E'));
            mta.send(frame('A')); // the MTA gives up on the first message
            assertEquals('c', mta.call(frame('M', "<a@example.com>")));
            assertEquals('c', mta.call(frame('R', "<b@example.com>")));
            assertEquals('c', mta.call(frame('N')));
            mta.send(frame('E'));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!decisions.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(10); // until the second decision is pending
            }
            first.complete(new Verdict.Reject("550 5.7.1 no")); // late verdict for the aborted message
            second.complete(new Verdict.Deliver(List.of()));
            assertEquals('a', mta.read().code());
        }
    }

    @Test
    void aFailedDecisionAnswersTempfail() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
        atEnd = tx -> CompletableFuture.failedFuture(new IllegalStateException("scanner down"));
        try (MtaClient mta = negotiated()) {
            message(mta);
            assertEquals('t', mta.call(frame('E')));
        }
    }

    @Test
    void badInputClosesOnlyThatConnection() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
        try (MtaClient good = negotiated(); MtaClient garbage = new MtaClient(server.address());
                MtaClient disorderly = negotiated(); MtaClient unknown = negotiated()) {
            garbage.send(new byte[] {0x7f, 0, 0, 0, 'X', 'Y'});
            assertTrue(garbage.closedByServer());
            disorderly.send(frame('R', "<b@example.com>"));
            assertTrue(disorderly.closedByServer());
            unknown.send(frame('Z'));
            assertTrue(unknown.closedByServer());
            // the well-behaved connection is unaffected
            assertEquals('c', good.call(frame('C', "h", '4', (short) 1, "192.0.2.1")));
            assertEquals('c', good.call(frame('M', "<a@example.com>")));
        }
    }

    @Test
    void aClientThatStallsMidFrameIsClosedAfterTheIdleTimeout() throws Exception {
        start(Duration.ofMillis(500), Duration.ofSeconds(10));
        try (MtaClient stalled = new MtaClient(server.address())) {
            stalled.send(new byte[] {0, 0});
            long t0 = System.nanoTime();
            assertTrue(stalled.closedByServer());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8));
        }
    }

    @Test
    void aDroppedConnectionDeletesItsSpool() throws Exception {
        start(Duration.ofSeconds(30), Duration.ofSeconds(10));
        try (MtaClient mta = negotiated()) {
            message(mta);
            mta.call(frame('B', new byte[65535]));
            assertEquals(1, spoolFiles(), "the body went to a spool file");
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (spoolFiles() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(0, spoolFiles());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.openConnections());
    }

    private MtaClient negotiated() throws IOException {
        MtaClient mta = new MtaClient(server.address());
        assertEquals('O', mta.call(frame('O', 6, ALL_ACTIONS, ALL_STEPS)));
        return mta;
    }

    private static void message(MtaClient mta) throws IOException {
        assertEquals('c', mta.call(frame('C', "h", '4', (short) 1, "192.0.2.1")));
        assertEquals('c', mta.call(frame('M', "<a@example.com>")));
        assertEquals('c', mta.call(frame('R', "<b@example.com>")));
        assertEquals('c', mta.call(concat(frame('D', 'T'), frame('T'))));
        assertEquals('c', mta.call(frame('L', "Subject", "x")));
        assertEquals('c', mta.call(frame('N')));
    }

    @Test
    void aUnixSocketServesTheSameProtocolWithItsPermissionsAndIsRemovedOnClose(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/milter.sock");
        // a socket file left behind by a killed process is replaced
        Files.createDirectories(socket.getParent());
        java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        stale.bind(java.net.UnixDomainSocketAddress.of(socket));
        stale.close();
        assertTrue(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the stale socket file is there");

        server = MilterServer.startUnix(socket, PosixFilePermissions.fromString("rw-rw----"), settings(Duration.ofSeconds(30),
                Duration.ofSeconds(10)), this::filter);
        assertEquals("unix:" + socket, server.endpoint());
        assertEquals(null, server.address());
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        try (MtaClient mta = new MtaClient(socket)) {
            assertEquals('O', mta.call(frame('O', 6, ALL_ACTIONS, ALL_STEPS)));
            message(mta);
            mta.send(frame('E'));
            assertEquals('h', mta.read().code());
            assertEquals('a', mta.read().code());
        }
        assertEquals("<a@example.com> -> [<b@example.com>] 1 headers, 14 bytes, on disk false", seen.get(0));
        server.close();
        server = null;
        assertFalse(Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS), "closing removes the socket file");

        Files.writeString(socket, "not a socket");
        assertEquals(socket + " exists and is not a socket: choose another socket path", assertThrows(IllegalStateException.class,
                () -> MilterServer.startUnix(socket, PosixFilePermissions.fromString("rw-rw----"), settings(Duration.ofSeconds(30),
                        Duration.ofSeconds(10)), this::filter)).getMessage());
        assertEquals("not a socket", Files.readString(socket), "a file that is not a socket is left alone");
    }

    private long spoolFiles() throws IOException {
        try (var files = Files.list(spoolDir)) {
            return files.count();
        }
    }
}
