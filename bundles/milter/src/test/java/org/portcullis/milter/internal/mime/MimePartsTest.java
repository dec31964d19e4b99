package org.portcullis.milter.internal.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.testkit.TestMessage;

class MimePartsTest {

    private static final int MEMORY = 16 * 1024;

    @TempDir
    Path spool;

    private List<SpooledPart> parse(Message m) throws IOException {
        try (InputStream raw = m.openRaw()) {
            return MimeParts.parse(raw, spool, MEMORY);
        }
    }

    private List<SpooledPart> parse(String raw) throws IOException {
        return MimeParts.parse(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)), spool, MEMORY);
    }

    @Test
    void aPlainMessageIsOnePart() throws Exception {
        List<SpooledPart> parts = parse(TestMessage.builder().text("just text\r\n").build());
        assertEquals(1, parts.size());
        Part p = parts.get(0);
        assertEquals("1", p.path());
        assertEquals("text/plain", p.declaredType());
        assertEquals("text/plain", p.detectedType());
        assertEquals("just text\r\n", new String(p.open().readAllBytes(), StandardCharsets.UTF_8));
        parts.forEach(SpooledPart::close);
    }

    @Test
    void attachmentsAreDecodedAndTheirRealTypeDetected() throws Exception {
        byte[] pdf = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".getBytes(StandardCharsets.US_ASCII);
        byte[] exe = new byte[512];
        exe[0] = 'M';
        exe[1] = 'Z';
        List<SpooledPart> parts = parse(TestMessage.builder().text("see attached\r\n")
                .attachment("report.pdf", "application/pdf", pdf)
                .attachment("invoice.pdf", "application/pdf", exe).build());
        assertEquals(List.of("1", "1.1", "1.2", "1.3"), parts.stream().map(Part::path).toList());
        assertTrue(parts.get(0).container());
        assertEquals("multipart/mixed", parts.get(0).declaredType());
        assertEquals("application/pdf", parts.get(2).detectedType());
        assertArrayEquals(pdf, parts.get(2).open().readAllBytes());
        Part disguised = parts.get(3);
        assertEquals("invoice.pdf", disguised.filename().orElseThrow());
        assertEquals("application/pdf", disguised.declaredType());
        assertTrue(disguised.detectedType().matches("application/x-(dosexec|msdownload)"), disguised.detectedType());
        assertEquals(512, disguised.size());
        parts.forEach(SpooledPart::close);
    }

    @Test
    void aLargePartIsSpooledToAFileThatClosingRemoves() throws Exception {
        byte[] big = new byte[5 * MEMORY];
        new Random(3).nextBytes(big);
        List<SpooledPart> parts = parse(TestMessage.builder().attachment("data.bin", "application/octet-stream", big).build());
        assertEquals(1, Files.list(spool).count(), "the large attachment's decoded content is on disk");
        assertArrayEquals(big, parts.get(2).open().readAllBytes());
        parts.forEach(SpooledPart::close);
        assertEquals(0, Files.list(spool).count());
    }

    @Test
    void aMessageAttachedToAMessageIsOpenedToo() throws Exception {
        String raw = String.join("\r\n",
                "From: a@example.com", "Subject: fwd", "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"outer\"", "",
                "--outer", "Content-Type: text/plain", "", "see below",
                "--outer", "Content-Type: message/rfc822", "",
                "From: b@example.com", "Subject: inner", "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"inner\"", "",
                "--inner", "Content-Type: text/plain", "", "inner text",
                "--inner", "Content-Type: application/octet-stream; name=\"tool.exe\"",
                "Content-Transfer-Encoding: base64", "", "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAA",
                "--inner--", "--outer--", "");
        List<SpooledPart> parts = parse(raw);
        List<String> paths = parts.stream().map(p -> p.path() + " " + p.declaredType() + " " + p.filename().orElse("-")).toList();
        assertTrue(paths.contains("1.1 text/plain -"), paths.toString());
        assertTrue(paths.stream().anyMatch(p -> p.startsWith("1.2.1") && p.endsWith("tool.exe")), paths.toString());
        parts.forEach(SpooledPart::close);
    }

    @Test
    void extendedFileNamesAreDecoded() throws Exception {
        String raw = String.join("\r\n", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "",
                "--b", "Content-Type: text/plain", "", "x",
                "--b", "Content-Type: application/octet-stream",
                "Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20plan.txt", "", "data", "--b--", "");
        List<SpooledPart> parts = parse(raw);
        assertEquals("na\u00efve plan.txt", parts.get(2).filename().orElseThrow());
        parts.forEach(SpooledPart::close);
    }

    @Test
    void brokenMimeIsStillReadToTheEnd() throws Exception {
        String raw = String.join("\r\n", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "",
                "--b", "Content-Type: text/plain", "", "first",
                "--b", "Content-Type: application/octet-stream; name=last.exe", "Content-Transfer-Encoding: base64", "",
                "TVqQ!!!not base64 at all", "");   // no closing boundary, bad base64
        List<SpooledPart> parts = parse(raw);
        assertEquals("last.exe", parts.get(parts.size() - 1).filename().orElseThrow());
        assertFalse(parts.isEmpty());
        parts.forEach(SpooledPart::close);
    }
}
