package org.portcullis.milter.internal.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.portcullis.policy.Verdict;
import org.portcullis.policy.Verdict.Header;
import org.portcullis.scanner.ScanResult;

class VerdictPolicyTest {

    private final VerdictPolicy policy = new VerdictPolicy(5.0, 10.0, Set.of("reputation"));

    private static ScannerOutcome o(String scanner, ScanResult result) {
        return new ScannerOutcome(scanner, result, Duration.ofMillis(3));
    }

    private Verdict decide(ScannerOutcome... outcomes) {
        return policy.decide(Arrays.asList(outcomes));
    }

    private static Header h(String name, String value) {
        return new Header(name, value);
    }

    @Test
    void cleanMailIsDeliveredWithHeaders() {
        assertEquals(new Verdict.Deliver(List.of(h("X-Portcullis-Verdict", "clean"),
                h("X-Portcullis-Scanners", "clamav=clean, attachment-type=clean"))),
                decide(o("clamav", ScanResult.clean()), o("attachment-type", ScanResult.clean())));
    }

    @Test
    void malwareIsRejectedEvenWhenAnotherScannerFailed() {
        assertEquals(new Verdict.Reject("550 5.7.1 Message rejected: virus Eicar-Test found"),
                decide(o("spam", ScanResult.failed("down")), o("clamav", ScanResult.infected("Eicar-Test"))));
    }

    @Test
    void aFailedScannerTempfailsSoTheSenderRetries() {
        assertEquals(new Verdict.Tempfail("451 4.7.1 Message could not be scanned now, please try again later"),
                decide(o("clamav", ScanResult.failed("timed out after 60000 ms")), o("attachment-type", ScanResult.clean())));
    }

    @Test
    void aFailOpenScannerThatFailedLetsMailThroughAndSaysSo() {
        assertEquals(new Verdict.Deliver(List.of(h("X-Portcullis-Verdict", "clean"),
                h("X-Portcullis-Scanners", "clamav=clean, reputation=failed(fail-open)"))),
                decide(o("clamav", ScanResult.clean()), o("reputation", ScanResult.failed("down"))));
    }

    @Test
    void suspiciousMailIsQuarantinedWithTheReason() {
        assertEquals(new Verdict.Quarantine(List.of(h("X-Portcullis-Verdict", "suspicious"),
                h("X-Portcullis-Scanners", "clamav=clean, attachment-type=suspicious")), "attachment-type: executable attachment a.exe"),
                decide(o("clamav", ScanResult.clean()), o("attachment-type", ScanResult.suspicious("executable attachment a.exe"))));
    }

    @Test
    void spamIsTaggedFromTheTagScoreAndQuarantinedFromTheQuarantineScore() {
        assertEquals(new Verdict.Deliver(List.of(h("X-Portcullis-Verdict", "clean"), h("X-Portcullis-Score", "4.9"),
                h("X-Portcullis-Scanners", "spam=spam(4.9)"))), decide(o("spam", ScanResult.spam(4.9, List.of()))));
        assertEquals(new Verdict.Tag(List.of(h("X-Portcullis-Verdict", "spam"), h("X-Portcullis-Score", "5.0"),
                h("X-Portcullis-Scanners", "spam=spam(5.0)"))), decide(o("spam", ScanResult.spam(5.0, List.of("BAYES_99")))));
        assertEquals(new Verdict.Quarantine(List.of(h("X-Portcullis-Verdict", "spam"), h("X-Portcullis-Score", "12.5"),
                h("X-Portcullis-Scanners", "spam=spam(12.5), other=spam(3.0)")), "spam score 12.5"),
                decide(o("spam", ScanResult.spam(12.5, List.of())), o("other", ScanResult.spam(3.0, List.of()))));
    }

    @Test
    void withNoScannerTheHeadersSayTheMailWasNotScanned() {
        assertEquals(new Verdict.Deliver(List.of(h("X-Portcullis-Verdict", "unscanned"), h("X-Portcullis-Scanners", ""))), decide());
    }

    @Test
    void anAllowEntryIsNamedOnceInItsHeader() {
        Verdict v = policy.decide(List.of(o("clamav", ScanResult.clean())), "allow *.partner.example (global, #7)");
        assertEquals(h("X-Portcullis-List", "allow *.partner.example (global, #7)"), v.headers().get(v.headers().size() - 1));
    }

    @Test
    void textFromScannersCannotBreakARepliesOrHeaders() {
        assertEquals(new Verdict.Reject("550 5.7.1 Message rejected: virus Evil 550 Haha? found"),
                decide(o("clamav", ScanResult.infected("Evil\r\n550 Haha\u20ac"))));
        assertEquals(200, Verdict.oneLine("x".repeat(500)).length());
    }
}
