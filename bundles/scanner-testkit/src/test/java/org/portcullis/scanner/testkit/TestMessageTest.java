package org.portcullis.scanner.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.Part;

class TestMessageTest {

    @Test
    void aPlainMessageHasOnePartAndMatchingRawText() throws Exception {
        Message m = TestMessage.builder().from("a@example.com").to("b@example.net").header("Subject", "hi")
                .text("body\r\n").build();
        assertEquals("a@example.com", m.envelope().sender());
        assertEquals(List.of("b@example.net"), m.envelope().recipients());
        assertEquals(1, m.parts().size());
        String raw = new String(m.openRaw().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(raw.contains("Subject: hi\r\n"), raw);
        assertTrue(raw.endsWith("\r\n\r\nbody\r\n"), raw);
        assertEquals(raw.length(), m.size());
        assertEquals(1, raw.split("Subject:").length - 1, "the caller's Subject replaces the default");
    }

    @Test
    void attachmentsAppearBothInTheRawMimeAndAsDecodedParts() throws Exception {
        byte[] exe = {'M', 'Z', 0, 1, 2, 3};
        Message m = TestMessage.builder().attachment("invoice.pdf", "application/pdf", "application/x-dosexec", exe).build();
        List<Part> parts = m.parts();
        assertEquals(List.of("1", "1.1", "1.2"), parts.stream().map(Part::path).toList());
        assertTrue(parts.get(0).container());
        Part attachment = parts.get(2);
        assertEquals("application/pdf", attachment.declaredType());
        assertEquals("application/x-dosexec", attachment.detectedType());
        assertEquals("invoice.pdf", attachment.filename().orElseThrow());
        assertArrayEquals(exe, attachment.open().readAllBytes());
        String raw = new String(m.openRaw().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(raw.contains(Base64.getEncoder().encodeToString(exe)), raw);
        assertTrue(raw.contains("filename=\"invoice.pdf\""), raw);
    }
}
