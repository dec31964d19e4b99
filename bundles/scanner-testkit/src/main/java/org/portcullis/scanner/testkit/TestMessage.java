package org.portcullis.scanner.testkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.portcullis.scanner.Envelope;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.Part;

/**
 * An in-memory {@link Message} for scanner tests, built so that its raw MIME text and its parts
 * agree: {@code TestMessage.builder().text("hi").attachment("a.zip", "application/zip", bytes).build()}
 * is a multipart/mixed message whose raw form carries the attachment base64-encoded and whose
 * parts are the root, the text and the attachment, decoded.
 */
public final class TestMessage implements Message {

    private final Envelope envelope;
    private final List<Header> headers;
    private final List<Part> parts;
    private final byte[] raw;

    private TestMessage(Envelope envelope, List<Header> headers, List<Part> parts, byte[] raw) {
        this.envelope = envelope;
        this.headers = List.copyOf(headers);
        this.parts = List.copyOf(parts);
        this.raw = raw;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public List<Header> headers() {
        return headers;
    }

    @Override
    public List<Part> parts() {
        return parts;
    }

    @Override
    public InputStream openRaw() {
        return new ByteArrayInputStream(raw);
    }

    @Override
    public long size() {
        return raw.length;
    }

    /** Builds a {@link TestMessage}; every setting has a harmless default. */
    public static final class Builder {
        private String sender = "sender@example.com";
        private final List<String> recipients = new ArrayList<>();
        private String clientAddress = "192.0.2.10";
        private String clientHostname = "mail.example.com";
        private String helo = "mail.example.com";
        private final Map<String, String> macros = new LinkedHashMap<>();
        private final List<Header> headers = new ArrayList<>();
        private String text = "Hello,\r\nthis is a test message.\r\n";
        private final List<TestPart> attachments = new ArrayList<>();

        private Builder() {
            macros.put("i", "4TEST0001");
        }

        public Builder from(String address) {
            sender = address;
            return this;
        }

        public Builder to(String address) {
            recipients.add(address);
            return this;
        }

        public Builder client(String address, String hostname) {
            clientAddress = address;
            clientHostname = hostname;
            return this;
        }

        public Builder helo(String name) {
            helo = name;
            return this;
        }

        public Builder macro(String name, String value) {
            macros.put(name, value);
            return this;
        }

        public Builder header(String name, String value) {
            headers.add(new Header(name, value));
            return this;
        }

        /** The text body (CRLF line ends expected). */
        public Builder text(String body) {
            text = body;
            return this;
        }

        /** An attachment whose declared type is also what its content is. */
        public Builder attachment(String filename, String type, byte[] content) {
            return attachment(filename, type, type, content);
        }

        /** An attachment that declares one type while its content is another (a renamed executable). */
        public Builder attachment(String filename, String declaredType, String detectedType, byte[] content) {
            attachments.add(new TestPart("", declaredType, detectedType, Optional.of(filename), content.clone(), false));
            return this;
        }

        public TestMessage build() {
            List<String> rcpts = recipients.isEmpty() ? List.of("recipient@example.net") : recipients;
            List<Header> all = new ArrayList<>(List.of(new Header("From", sender), new Header("To", String.join(", ", rcpts)),
                    new Header("Subject", "test"), new Header("MIME-Version", "1.0")));
            all.removeIf(h -> headers.stream().anyMatch(mine -> mine.name().equalsIgnoreCase(h.name())));
            all.addAll(headers);
            Envelope envelope = new Envelope(sender, rcpts, clientAddress, clientHostname, helo, macros);
            byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
            List<Part> parts = new ArrayList<>();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            if (attachments.isEmpty()) {
                all.add(new Header("Content-Type", "text/plain; charset=utf-8"));
                writeHeaders(raw, all);
                raw.writeBytes(textBytes);
                parts.add(new TestPart("1", "text/plain", "text/plain", Optional.empty(), textBytes, false));
            } else {
                String boundary = "=_portcullis_test_boundary";
                all.add(new Header("Content-Type", "multipart/mixed; boundary=\"" + boundary + "\""));
                writeHeaders(raw, all);
                parts.add(new TestPart("1", "multipart/mixed", "multipart/mixed", Optional.empty(), new byte[0], true));
                ascii(raw, "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
                raw.writeBytes(textBytes);
                parts.add(new TestPart("1.1", "text/plain", "text/plain", Optional.empty(), textBytes, false));
                int n = 2;
                for (TestPart a : attachments) {
                    String name = a.filename().orElseThrow();
                    ascii(raw, "\r\n--" + boundary + "\r\nContent-Type: " + a.declaredType() + "; name=\"" + name
                            + "\"\r\nContent-Disposition: attachment; filename=\"" + name
                            + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                    ascii(raw, Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(a.content()) + "\r\n");
                    parts.add(new TestPart("1." + n++, a.declaredType(), a.detectedType(), a.filename(), a.content(), false));
                }
                ascii(raw, "--" + boundary + "--\r\n");
            }
            return new TestMessage(envelope, all, parts, raw.toByteArray());
        }

        private static void writeHeaders(ByteArrayOutputStream raw, List<Header> headers) {
            for (Header h : headers) {
                raw.writeBytes((h.name() + ": " + h.value() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            ascii(raw, "\r\n");
        }

        private static void ascii(ByteArrayOutputStream raw, String s) {
            raw.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
