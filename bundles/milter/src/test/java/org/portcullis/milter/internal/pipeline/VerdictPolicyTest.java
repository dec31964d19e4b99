package org.portcullis.milter.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.milter.internal.codec.MilterReply.Action;
import org.portcullis.milter.internal.codec.MilterReply.AddHeader;
import org.portcullis.scanner.ScanResult;

class VerdictPolicyTest {

    private final VerdictPolicy policy = new VerdictPolicy(5.0, 10.0, Set.of("reputation"));

    private static ScannerOutcome o(String scanner, ScanResult result) {
        return new ScannerOutcome(scanner, result, Duration.ofMillis(3));
    }

    private List<MilterReply> decide(ScannerOutcome... outcomes) {
        return policy.decide(Arrays.asList(outcomes));
    }

    @Test
    void cleanMailIsAcceptedWithHeaders() {
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "clean"),
                new AddHeader("X-Portcullis-Scanners", "clamav=clean, attachment-type=clean"), Action.ACCEPT),
                decide(o("clamav", ScanResult.clean()), o("attachment-type", ScanResult.clean())));
    }

    @Test
    void malwareIsRejectedEvenWhenAnotherScannerFailed() {
        assertEquals(List.of(new MilterReply.ReplyCode("550 5.7.1 Message rejected: virus Eicar-Test found")),
                decide(o("spam", ScanResult.failed("down")), o("clamav", ScanResult.infected("Eicar-Test"))));
    }

    @Test
    void aFailedScannerTempfailsSoTheSenderRetries() {
        assertEquals(List.of(new MilterReply.ReplyCode("451 4.7.1 Message could not be scanned now, please try again later")),
                decide(o("clamav", ScanResult.failed("timed out after 60000 ms")), o("attachment-type", ScanResult.clean())));
    }

    @Test
    void aFailOpenScannerThatFailedLetsMailThroughAndSaysSo() {
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "clean"),
                new AddHeader("X-Portcullis-Scanners", "clamav=clean, reputation=failed(fail-open)"), Action.ACCEPT),
                decide(o("clamav", ScanResult.clean()), o("reputation", ScanResult.failed("down"))));
    }

    @Test
    void suspiciousMailIsQuarantinedWithTheReason() {
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "suspicious"),
                new AddHeader("X-Portcullis-Scanners", "clamav=clean, attachment-type=suspicious"),
                new MilterReply.Quarantine("attachment-type: executable attachment a.exe"), Action.ACCEPT),
                decide(o("clamav", ScanResult.clean()), o("attachment-type", ScanResult.suspicious("executable attachment a.exe"))));
    }

    @Test
    void spamIsTaggedFromTheTagScoreAndQuarantinedFromTheQuarantineScore() {
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "clean"), new AddHeader("X-Portcullis-Score", "4.9"),
                new AddHeader("X-Portcullis-Scanners", "spam=spam(4.9)"), Action.ACCEPT),
                decide(o("spam", ScanResult.spam(4.9, List.of()))));
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "spam"), new AddHeader("X-Portcullis-Score", "5.0"),
                new AddHeader("X-Portcullis-Scanners", "spam=spam(5.0)"), Action.ACCEPT),
                decide(o("spam", ScanResult.spam(5.0, List.of("BAYES_99")))));
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "spam"), new AddHeader("X-Portcullis-Score", "12.5"),
                new AddHeader("X-Portcullis-Scanners", "spam=spam(12.5), other=spam(3.0)"),
                new MilterReply.Quarantine("spam score 12.5"), Action.ACCEPT),
                decide(o("spam", ScanResult.spam(12.5, List.of())), o("other", ScanResult.spam(3.0, List.of()))));
    }

    @Test
    void noScannersMeansNothingWasFoundAndTheHeadersSaySo() {
        assertEquals(List.of(new AddHeader("X-Portcullis-Verdict", "clean"), new AddHeader("X-Portcullis-Scanners", ""),
                Action.ACCEPT), decide());
    }

    @Test
    void textFromScannersCannotBreakARepliesOrHeaders() {
        assertEquals("virus\" FOUND 451 x", VerdictPolicy.printable("virus\"\r\n FOUND\u0000451 x"));
        assertEquals(200, VerdictPolicy.printable("x".repeat(500)).length());
        decide(o("clamav", ScanResult.infected("Evil\r\n550 Haha\u20ac")));
    }
}
