package org.portcullis.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDJavascriptNameTreeNode;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.filespecification.PDSimpleFileSpecification;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionJavaScript;
import org.apache.pdfbox.pdmodel.interactive.action.PDActionLaunch;
import org.apache.pdfbox.pdmodel.interactive.action.PDPageAdditionalActions;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationLink;
import org.junit.jupiter.api.Test;
import org.portcullis.sandbox.Finding;
import org.portcullis.scanner.Part;

class PdfAnalyzerTest {

    private final PdfAnalyzer analyzer = new PdfAnalyzer(200_000);

    /** A part of type PDF (or the given type) holding {@code content}. */
    private static Part part(String name, String type, byte[] content) {
        return TestPart.of(name, type, content);
    }

    private Finding analyze(byte[] pdf) throws IOException {
        return analyzer.analyze(part("doc.pdf", "application/pdf", pdf));
    }

    private interface Build {
        void on(PDDocument document, PDPage page) throws IOException;
    }

    private static byte[] pdf(Build build) throws IOException {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            build.on(document, page);
            document.save(out);
            return out.toByteArray();
        }
    }

    @Test
    void aPlainDocumentIsClean() throws IOException {
        assertEquals(Finding.clean(), analyze(pdf((d, p) -> { })));
        assertEquals(Finding.clean(), analyze(TestPdfs.plain("minutes").getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void javaScriptRunOnOpenIsFound() throws IOException {
        Finding f = analyze(pdf((d, p) -> d.getDocumentCatalog().setOpenAction(new PDActionJavaScript("app.alert('hi')"))));
        assertTrue(f.malicious() && f.reason().startsWith("PDF with JavaScript"), f.reason());
    }

    @Test
    void javaScriptInTheNameTreeIsFound() throws IOException {
        Finding f = analyze(pdf((d, p) -> {
            PDJavascriptNameTreeNode scripts = new PDJavascriptNameTreeNode();
            scripts.setNames(java.util.Map.of("init", new PDActionJavaScript("this.exportDataObject({})")));
            PDDocumentNameDictionary names = new PDDocumentNameDictionary(d.getDocumentCatalog());
            names.setJavascript(scripts);
            d.getDocumentCatalog().setNames(names);
        }));
        assertTrue(f.malicious() && f.reason().startsWith("PDF with JavaScript"), f.reason());
    }

    @Test
    void javaScriptRunWhenAPageOpensIsFound() throws IOException {
        Finding f = analyze(pdf((d, p) -> {
            PDPageAdditionalActions actions = new PDPageAdditionalActions();
            actions.setO(new PDActionJavaScript("app.launchURL('http://x.test')"));
            p.setActions(actions);
        }));
        assertTrue(f.malicious() && f.reason().startsWith("PDF with JavaScript"), f.reason());
    }

    @Test
    void aLinkThatLaunchesAProgramIsFoundWithItsTarget() throws IOException {
        Finding f = analyze(pdf((d, p) -> {
            PDActionLaunch launch = new PDActionLaunch();
            launch.setFile(new PDSimpleFileSpecification(new org.apache.pdfbox.cos.COSString("cmd.exe")));
            PDAnnotationLink link = new PDAnnotationLink();
            link.setAction(launch);
            p.getAnnotations().add(link);
        }));
        assertTrue(f.malicious(), f.reason());
        assertTrue(f.reason().startsWith("PDF with a launch action that runs cmd.exe"), f.reason());
    }

    @Test
    void aDocumentThatNeedsAPasswordCannotBeAnalysedAndIsKept() throws IOException {
        byte[] locked = pdf((d, p) -> {
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "user-secret", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            d.protect(policy);
        });
        Finding f = analyze(locked);
        assertTrue(f.malicious() && f.reason().startsWith("encrypted PDF"), f.reason());
    }

    @Test
    void aDocumentProtectedOnlyAgainstEditingIsStillAnalysed() throws IOException {
        byte[] ownerOnly = pdf((d, p) -> {
            d.getDocumentCatalog().setOpenAction(new PDActionJavaScript("app.alert(1)"));
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            d.protect(policy);
        });
        Finding f = analyze(ownerOnly);
        assertTrue(f.malicious() && f.reason().startsWith("PDF with JavaScript"), f.reason());
    }

    @Test
    void aCorruptOrTruncatedDocumentIsKeptWithOneLine() throws IOException {
        Finding garbage = analyze("%PDF-1.7\nthis is not a document\n".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(garbage.malicious() && garbage.reason().startsWith("unreadable PDF ("), garbage.reason());
        assertFalse(garbage.reason().contains("\n"));
    }

    @Test
    void javaScriptIsFoundInAPdfWhateverItsNameAndDeclaredType() throws IOException {
        byte[] js = pdf((d, p) -> d.getDocumentCatalog().setOpenAction(new PDActionJavaScript("app.alert(1)")));
        Finding f = analyzer.analyze(part("invoice.txt", "text/plain", js));
        assertTrue(f.malicious(), "found by its %PDF- header");
        assertEquals(Finding.clean(), analyzer.analyze(part("notes.txt", "text/plain", "not a pdf".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void aDocumentWithMoreObjectsThanTheLimitIsKept() throws IOException {
        byte[] many = pdf((d, p) -> {
            for (int i = 0; i < 60; i++) {
                d.addPage(new PDPage());
            }
        });
        Finding f = new PdfAnalyzer(50).analyze(part("doc.pdf", "application/pdf", many));
        assertTrue(f.malicious() && f.reason().equals("PDF with more than 50 objects: it cannot be analysed"), f.reason());
        assertEquals(Finding.clean(), analyze(many));
    }

    @Test
    void anInterruptedAnalysisFailsRatherThanFinding() throws IOException {
        byte[] pages = pdf((d, p) -> {
            for (int i = 0; i < 5; i++) {
                d.addPage(new PDPage());
            }
        });
        Thread.currentThread().interrupt();
        try {
            analyze(pages);
            throw new AssertionError("an interrupted analysis must throw, not find");
        } catch (IOException expected) {
            assertTrue(Thread.interrupted(), "still interrupted: " + expected);
        }
    }
}
