package org.portcullis.quarantine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

/** The digest mail: what a recipient's held mail is and a release link for each message. */
final class Digests {

    /** What digests list, where they come from and where their links land. */
    record Settings(Duration every, List<String> categories, String from, String linkBase, Duration linkLife, List<String> domains) {
        Settings {
            categories = List.copyOf(categories);
            linkBase = linkBase.endsWith("/") ? linkBase.substring(0, linkBase.length() - 1) : linkBase;
            domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        }

        /** Whether {@code recipient} gets digests: in one of {@code domains} or a subdomain of one; any, when there are none. */
        boolean digests(String recipient) {
            String domain = recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
            return domains.isEmpty() || domains.stream().anyMatch(d -> domain.equals(d) || domain.endsWith("." + d));
        }

        /** The link to release with {@code token}: under {@code linkBase}, or when that is empty https://this host's name:8443. */
        String link(String token) {
            return (linkBase.isEmpty() ? ThisHost.BASE : linkBase) + "/api/v1/links/release/" + token;
        }
    }

    /** This host's address for links, looked up once, when the first link without a configured base is made. */
    private static final class ThisHost {
        static final String BASE = "https://" + name() + ":8443";

        private static String name() {
            try {
                return java.net.InetAddress.getLocalHost().getCanonicalHostName();
            } catch (java.net.UnknownHostException e) {
                return "localhost";
            }
        }
    }

    /** One held message as a digest lists it. */
    record Entry(QuarantineStore.Listed listed, String subject, String link) {
    }

    /** Messages listed in one digest at most; the rest are named by count and come in the next. */
    static final int MAX_ENTRIES = 200;

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int HEADER_LIMIT = 64 * 1024;

    private Digests() {
    }

    /** The digest to {@code recipient} listing {@code entries} (links valid until {@code expires}), as the bytes of a message. */
    static byte[] compose(Settings settings, String recipient, List<Entry> entries, int more, Instant now, Instant expires) {
        StringBuilder m = new StringBuilder();
        int count = entries.size() + more;
        String subject = "Quarantine: " + count + (count == 1 ? " message" : " messages") + " held for you";
        m.append("From: Portcullis quarantine <").append(settings.from()).append(">\r\n");
        m.append("To: <").append(recipient).append(">\r\n");
        m.append("Subject: ").append(subject).append("\r\n");
        m.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atOffset(ZoneOffset.UTC))).append("\r\n");
        m.append("Message-ID: <digest.").append(UUID.randomUUID()).append("@portcullis>\r\n");
        m.append("Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n");
        m.append("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        m.append("The mail gateway held these messages to you. Each link releases one message to you, once, until ")
                .append(WHEN.format(expires)).append(".\r\n");
        for (Entry e : entries) {
            QuarantineStore.Listed l = e.listed();
            m.append("\r\n").append(WHEN.format(l.held())).append("  From: ").append(oneLine(l.sender().isEmpty() ? "<>" : l.sender()))
                    .append("\r\n");
            m.append("  Subject: ").append(oneLine(e.subject())).append("\r\n");
            m.append("  Held as ").append(l.category()).append(": ").append(oneLine(l.reason())).append("\r\n");
            m.append("  Release: ").append(e.link()).append("\r\n");
        }
        if (more > 0) {
            m.append("\r\n").append(more).append(" more held messages follow in the next digest.\r\n");
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The decoded Subject of the message {@code content} (its header section), or an empty string. */
    static String subject(InputStream content) throws IOException {
        byte[] head = content.readNBytes(HEADER_LIMIT);
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r\n");
        StringBuilder subject = null;
        for (String line : lines) {
            if (subject != null && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                subject.append(line); // a folded continuation
            } else if (subject != null) {
                break;
            } else if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
                subject = new StringBuilder(line.substring(8));
            }
        }
        if (subject == null) {
            return "";
        }
        // raw 8-bit subjects are most often UTF-8; encoded words say their own charset
        String raw = new String(subject.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return DecoderUtil.decodeEncodedWords(raw.strip(), DecodeMonitor.SILENT);
    }

    /**
     * {@code text} without line breaks, control or format characters (also Unicode's line and
     * paragraph separators, NEL and bidirectional controls, which could draw a line of their own),
     * at most 200 characters.
     */
    static String oneLine(String text) {
        String s = text.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\p{Cf}\\u0085]+", " ").strip();
        return s.length() > 200 ? s.substring(0, 199) + "…" : s;
    }
}
