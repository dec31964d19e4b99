package org.portcullis.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.junit.jupiter.api.Test;
import org.portcullis.sandbox.Finding;
import org.portcullis.scanner.Part;

class MacroAnalyzerTest {

    private final MacroAnalyzer analyzer = new MacroAnalyzer(20L << 20);

    private static Part part(String name, byte[] content) {
        return TestPart.of(name, "application/octet-stream", content);
    }

    private static final String DROPPER = "Attribute VB_Name = \"Module1\"\r\nSub AutoOpen()\r\n  Dim s\r\n"
            + "  Set s = CreateObject(\"WScript.Shell\")\r\n  s.Run \"powershell -enc ...\"\r\nEnd Sub\r\n";
    private static final String WRITER = "Sub Document_Open()\r\n  Open Environ(\"TEMP\") & \"\\a.exe\" For Binary As #1\r\n"
            + "  Put #1, , data\r\n  Close #1\r\nEnd Sub\r\n";
    private static final String HARMLESS = "Sub AutoOpen()\r\n  ActiveDocument.Range.Font.Size = 12\r\nEnd Sub\r\n";
    private static final String ON_DEMAND = "Sub ExportReport()\r\n  Shell \"notepad.exe\"\r\nEnd Sub\r\n";

    @Test
    void aMacroThatRunsOnOpenAndExecutesIsFoundInLegacyAndOoxmlDocuments() throws IOException {
        Finding legacy = analyzer.analyze(part("invoice.doc", TestOffice.doc(DROPPER)));
        assertTrue(legacy.malicious(), legacy.reason());
        assertEquals("Office macro that runs by itself (AutoOpen) and executes (CreateObject)", legacy.reason());
        Finding ooxml = analyzer.analyze(part("invoice.docm", TestOffice.docm(DROPPER)));
        assertEquals(legacy, ooxml);
        // whatever the name says
        assertTrue(analyzer.analyze(part("notes.txt", TestOffice.docm(DROPPER))).malicious());
    }

    @Test
    void aProjectUnderAnotherNameAndAProjectThatCannotBeReadAreFound() throws IOException {
        assertTrue(analyzer.analyze(part("invoice.docm", TestOffice.docm(DROPPER, "word/media/image1.dat"))).malicious(),
                "found by its OLE2 magic, not its name");
        Finding broken = analyzer.analyze(part("old.doc", TestOffice.brokenProject()));
        assertTrue(broken.malicious() && broken.reason().startsWith("unreadable Office document ("), broken.reason());
    }

    @Test
    void aMacroThatRunsOnOpenAndWritesAFileIsFound() throws IOException {
        Finding f = analyzer.analyze(part("form.docm", TestOffice.docm(WRITER)));
        assertTrue(f.malicious(), f.reason());
        assertTrue(f.reason().startsWith("Office macro that runs by itself (Document_Open) and writes (Open "), f.reason());
    }

    @Test
    void aMacroThatOnlyRunsOnOpenOrOnlyExecutesOnDemandIsClean() throws IOException {
        assertEquals(Finding.clean(), analyzer.analyze(part("style.docm", TestOffice.docm(HARMLESS))));
        assertEquals(Finding.clean(), analyzer.analyze(part("tool.doc", TestOffice.doc(ON_DEMAND))));
    }

    @Test
    void documentsWithoutMacrosAndOtherFilesAreClean() throws IOException {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (POIFSFileSystem fs = new POIFSFileSystem()) {
            fs.getRoot().createDocument("WordDocument", new ByteArrayInputStream(new byte[512]));
            fs.writeFilesystem(plain);
        }
        assertEquals(Finding.clean(), analyzer.analyze(part("letter.doc", plain.toByteArray())));
        assertEquals(Finding.clean(), analyzer.analyze(part("report.docx", SandboxServiceTest.zipOf("word/document.xml", "<w:document/>")
                .getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals(Finding.clean(), analyzer.analyze(part("readme.doc", "just text".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void anEncryptedOrUnreadableOrOversizedDocumentIsKept() throws IOException {
        ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
        try (POIFSFileSystem fs = new POIFSFileSystem()) {
            fs.getRoot().createDocument("EncryptionInfo", new ByteArrayInputStream(new byte[64]));
            fs.getRoot().createDocument("EncryptedPackage", new ByteArrayInputStream(new byte[4096]));
            fs.writeFilesystem(encrypted);
        }
        Finding locked = analyzer.analyze(part("salary.docx", encrypted.toByteArray()));
        assertEquals("encrypted Office document: it cannot be analysed", locked.reason());

        byte[] ole2 = TestOffice.doc(DROPPER);
        byte[] cut = java.util.Arrays.copyOf(ole2, 600);
        Finding broken = analyzer.analyze(part("cut.doc", cut));
        assertTrue(broken.malicious() && broken.reason().startsWith("unreadable Office document ("), broken.reason());

        Finding big = new MacroAnalyzer(1000).analyze(part("big.docm", TestOffice.docm(DROPPER)));
        assertTrue(big.malicious() && big.reason().equals("macro project word/vbaProject.bin larger than 1000 bytes: it cannot be analysed"),
                big.reason());
    }

    @Test
    void theRuleNeedsBothHalves() {
        assertEquals(null, MacroAnalyzer.rule(Map.of("m", "Sub Workbook_Open()\r\nMsgBox 1\r\nEnd Sub")));
        assertEquals(null, MacroAnalyzer.rule(Map.of("m", "Sub Go()\r\nKill \"x\"\r\nEnd Sub")));
        assertEquals("Office macro that runs by itself (Workbook_Open) and writes (Kill) and executes (Shell)",
                MacroAnalyzer.rule(Map.of("a", "Sub Workbook_Open()\r\nKill \"x\"\r\nEnd Sub", "b", "Sub Go()\r\nShell \"y\"\r\nEnd Sub")));
    }
}
