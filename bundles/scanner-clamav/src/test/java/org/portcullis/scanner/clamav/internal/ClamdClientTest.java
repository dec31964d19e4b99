package org.portcullis.scanner.clamav.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.portcullis.scanner.ScanResult;

/** clamd sessions (IDSESSION) against a real clamd: reuse, a dropped session, what is never pooled. */
class ClamdClientTest {

    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();
    private Path dir;
    private ClamdProcess clamd;
    private ClamdClient client;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("portcullis-clamd-client");
        clamd = ClamdProcess.start(dir);
        client = new ClamdClient(ClamdAddress.parse(clamd.tcp()), Duration.ofSeconds(20), 64L << 20, 4, deadlines);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        deadlines.shutdownNow();
        clamd.close();
        ClamdProcess.deleteQuietly(dir);
    }

    private static ClamdClient.Source bytes(byte[] b) {
        return () -> new ByteArrayInputStream(b);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void scansOneAfterAnotherShareOneSession() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(ScanResult.clean(), client.scan(bytes(text("hello " + i + "\r\n")), 8));
            assertEquals(1, client.idleConnections(), "one session, reused");
        }
        ScanResult found = client.scan(bytes(ClamdProcess.eicar()), ClamdProcess.eicar().length);
        String threat = assertInstanceOf(ScanResult.Infected.class, found).threat();
        assertTrue(threat.startsWith("Portcullis.Test.EICAR"), threat);
        assertEquals(1, client.idleConnections(), "a session that found a virus is fine to reuse");
        assertEquals(ScanResult.clean(), client.scan(bytes(text("after the virus")), 15));
    }

    @Test
    void aSessionClamdDroppedIsReplacedAndTheScanSentAgain() throws Exception {
        assertEquals(ScanResult.clean(), client.scan(bytes(text("first")), 5));
        assertEquals(1, client.idleConnections());
        // clamd restarts (as after its IdleTimeout, or an update): the pooled session is dead
        clamd.close();
        clamd = ClamdProcess.start(dir, clamd.port);
        ScanResult again = client.scan(bytes(ClamdProcess.eicar()), ClamdProcess.eicar().length);
        assertInstanceOf(ScanResult.Infected.class, again, "answered on a new session, not failed");
        assertEquals(1, client.idleConnections());
    }

    @Test
    void aSessionThatHitAnErrorIsNeverPooled() throws Exception {
        byte[] big = new byte[(int) ClamdProcess.STREAM_MAX + 100_000];
        ScanResult tooBig = client.scan(bytes(big), big.length);
        assertTrue(assertInstanceOf(ScanResult.Failed.class, tooBig).reason().contains("size limit"), tooBig.toString());
        assertEquals(0, client.idleConnections());
        assertEquals(ScanResult.clean(), client.scan(bytes(text("next")), 4), "the next scan gets a fresh session");
    }
}
