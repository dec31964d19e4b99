package org.portcullis.milter.internal.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.portcullis.milter.internal.session.Transaction;
import org.portcullis.policy.Verdict;

/**
 * The message as the quarantine keeps it, and as a release delivers it: the header lines as
 * received except every {@code X-Portcullis-*} field (an earlier hop or the sender wrote those,
 * exactly as {@code VerdictReplies} deletes them from delivered mail), then the verdict's headers,
 * the blank line and the body, streamed from the spool. Only the header section, which the
 * milter's limits bound, is read into memory.
 */
final class HeldCopy {

    private static final String PREFIX = "x-portcullis-";

    private HeldCopy() {
    }

    /** @throws IOException when the spool cannot be read (the message was aborted meanwhile) */
    static InputStream open(Transaction tx, List<Verdict.Header> added) throws IOException {
        if (tx.spool() == null) {
            throw new IOException("the message's content was not kept");
        }
        InputStream raw = tx.spool().openStream();
        try {
            long section = tx.headerSectionBytes();
            byte[] headers = section == 0 ? new byte[0] : raw.readNBytes((int) section);
            if (headers.length != section) {
                throw new IOException("the spool ends inside its header section");
            }
            return new SequenceInputStream(new ByteArrayInputStream(headerSection(headers, added)), raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** {@code received} (header lines and the blank line, CRLF) without X-Portcullis-* fields, with {@code added} before the blank line. */
    static byte[] headerSection(byte[] received, List<Verdict.Header> added) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(received.length + 256);
        int end = received.length >= 2 ? received.length - 2 : received.length; // the blank line
        boolean dropping = false;
        int line = 0;
        while (line < end) {
            int next = line;
            while (next < end && received[next] != '\n') {
                next++;
            }
            next = Math.min(next + 1, end);
            boolean continuation = received[line] == ' ' || received[line] == '\t';
            if (!continuation) {
                dropping = startsWithPrefix(received, line, next);
            }
            if (!dropping) {
                out.write(received, line, next - line);
            }
            line = next;
        }
        for (Verdict.Header h : added) {
            out.writeBytes((h.name() + ": " + h.value() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    private static boolean startsWithPrefix(byte[] b, int from, int to) {
        if (to - from < PREFIX.length()) {
            return false;
        }
        String start = new String(b, from, PREFIX.length(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        return start.equals(PREFIX);
    }
}
