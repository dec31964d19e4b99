package org.portcullis.example.attachmenttype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.scanner.ScanResult;
import org.portcullis.scanner.testkit.ScannerContractTest;
import org.portcullis.scanner.testkit.TestMessage;

/** The example scanner keeps the scanner contract and finds what it is for. */
class AttachmentTypeScannerTest extends ScannerContractTest<AttachmentTypeScanner> {

    private final AttachmentTypeScanner scanner = AttachmentTypeScanner.withDefaults();

    @Override
    protected AttachmentTypeScanner scanner() {
        return scanner;
    }

    @Test
    void flagsAnExecutableByItsName() throws Exception {
        List<ScanResult> results = scan(TestMessage.builder().attachment("Setup.EXE", "application/octet-stream",
                new byte[] {1, 2, 3}).build());
        ScanResult.Suspicious s = assertInstanceOf(ScanResult.Suspicious.class, results.get(2));
        assertTrue(s.reason().contains("Setup.EXE"), s.reason());
        assertEquals(ScanResult.clean(), results.get(1), "the text part stays clean");
    }

    @Test
    void flagsAnExecutableThatClaimsToBeADocument() throws Exception {
        List<ScanResult> results = scan(TestMessage.builder().attachment("invoice.pdf", "application/pdf",
                "application/x-dosexec", new byte[] {'M', 'Z'}).build());
        ScanResult.Suspicious s = assertInstanceOf(ScanResult.Suspicious.class, results.get(2));
        assertTrue(s.reason().contains("claims to be application/pdf"), s.reason());
    }

    @Test
    void letsOrdinaryDocumentsThrough() throws Exception {
        List<ScanResult> results = scan(TestMessage.builder().attachment("report.pdf", "application/pdf",
                new byte[] {'%', 'P', 'D', 'F'}).attachment("notes.txt", "text/plain", "hi".getBytes()).build());
        results.forEach(r -> assertEquals(ScanResult.clean(), r));
    }
}
