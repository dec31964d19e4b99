package org.portcullis.milter.internal.mime;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MimeTypes;
import org.portcullis.milter.internal.spool.MessageSpool;

/**
 * Splits a raw message into its MIME parts in one streaming pass (mime4j): each leaf part's
 * decoded content goes to its own spool, so a large attachment costs the heap no more than a
 * small one; its real type is detected from its first bytes (Tika's magic, not the file name)
 * when a scanner first asks for it.
 * Multiparts and attached messages are listed as containers. Malformed MIME is read
 * permissively, as mail clients do: scanners still see every byte somewhere.
 */
public final class MimeParts {

    private static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();
    /**
     * How much of a part Tika's magic sees (its default is 64 KiB): the magic of nearly every
     * format sits in the first bytes (tar at 257, a zip's first entry at 0). An ISO image's
     * (at 32769) is past it: detected as octet-stream, its file name still names it.
     * Detection itself waits until a scanner asks ({@link SpooledPart#detectedType}): done for
     * every part at parse time it was 80 % of the JVM's time on 100 KiB attachment mail that
     * only the ClamAV scanner read (bench/profile-av.sh ATTACHMENT=yes: 100 msg/s, 18 ms of CPU
     * per message, against 260 msg/s, 6 ms without).
     */
    static final int DETECT_BYTES = 8192;

    private MimeParts() {
    }

    /**
     * Parses {@code raw}; the caller closes every returned part (which deletes its spool).
     *
     * @throws IOException when the message cannot be read or a part cannot be spooled
     */
    public static List<SpooledPart> parse(InputStream raw, Path spoolDirectory, int memoryLimit) throws IOException {
        Collector collector = new Collector(spoolDirectory, memoryLimit);
        MimeStreamParser parser = new MimeStreamParser(MimeConfig.PERMISSIVE);
        // bodies come raw: base64 is decoded by Base64Body (the JDK's decoder), quoted-printable by mime4j
        parser.setContentDecoding(false);
        parser.setContentHandler(collector);
        try {
            parser.parse(raw);
        } catch (MimeException | IOException | RuntimeException e) {
            collector.parts.forEach(SpooledPart::close);
            throw e instanceof IOException io ? io : new IOException("cannot read the MIME structure: " + e.getMessage(), e);
        }
        return collector.parts;
    }

    /** Builds the part list from the parser's events; paths follow the nesting (1, 1.1, 1.2.1 ...). */
    private static final class Collector extends AbstractContentHandler {
        private final Path spoolDirectory;
        private final int memoryLimit;
        final List<SpooledPart> parts = new ArrayList<>();
        private final Deque<int[]> children = new ArrayDeque<>();
        private final Deque<String> paths = new ArrayDeque<>();
        private Optional<String> filename = Optional.empty();

        Collector(Path spoolDirectory, int memoryLimit) {
            this.spoolDirectory = spoolDirectory;
            this.memoryLimit = memoryLimit;
        }

        @Override
        public void startMessage() {
            if (paths.isEmpty()) {
                paths.push("1");
            } else if (!children.isEmpty() && children.peek()[0] == -1) {
                // a message attached inside a body part: it is that part's child
                children.peek()[0] = 0;
                paths.push(paths.peek() + ".1");
            } else {
                paths.push(paths.peek());
            }
            children.push(new int[] {0});
        }

        @Override
        public void endMessage() {
            children.pop();
            paths.pop();
        }

        @Override
        public void startBodyPart() {
            int n = ++children.peek()[0];
            paths.push(paths.peek() + "." + n);
            children.push(new int[] {-1});
        }

        @Override
        public void endBodyPart() {
            children.pop();
            paths.pop();
        }

        @Override
        public void startHeader() {
            filename = Optional.empty();
        }

        @Override
        public void field(Field field) {
            String name = field.getName().toLowerCase(Locale.ROOT);
            if (name.equals("content-disposition") || (name.equals("content-type") && filename.isEmpty())) {
                RawBody body;
                try {
                    RawField raw = RawFieldParser.DEFAULT.parseField(field.getRaw());
                    body = RawFieldParser.DEFAULT.parseRawBody(raw);
                } catch (MimeException unparsable) {
                    return; // a mangled header names no file; the part is still scanned
                }
                for (NameValuePair p : body.getParams()) {
                    String key = p.getName().toLowerCase(Locale.ROOT);
                    if ((key.equals("filename") || key.equals("name")) && p.getValue() != null && !p.getValue().isBlank()) {
                        filename = Optional.of(p.getValue());
                    } else if ((key.equals("filename*") || key.equals("name*")) && p.getValue() != null) {
                        filename = Optional.of(extendedValue(p.getValue()));
                    }
                }
            }
        }

        @Override
        public void startMultipart(BodyDescriptor bd) {
            parts.add(new SpooledPart(paths.peek(), bd.getMimeType(), bd.getMimeType(), filename, null));
        }

        @Override
        public void body(BodyDescriptor bd, InputStream raw) throws IOException {
            if (bd.getMimeType().equals("message/rfc822")) {
                return; // parsed as a nested message: its parts follow
            }
            MessageSpool content = new MessageSpool(spoolDirectory, memoryLimit);
            try {
                String encoding = bd.getTransferEncoding() == null ? "" : bd.getTransferEncoding().trim().toLowerCase(Locale.ROOT);
                if (encoding.equals("base64")) {
                    Base64Body.decode(raw, content::append);
                } else if (encoding.equals("quoted-printable")) {
                    content.appendAll(new QuotedPrintableInputStream(raw, false));
                } else {
                    content.appendAll(raw);
                }
                parts.add(new SpooledPart(paths.peek(), bd.getMimeType(), null, filename, content));
            } catch (IOException | RuntimeException e) {
                content.close();
                throw e;
            }
        }
    }

    /** The type Tika's magic finds in the first {@link #DETECT_BYTES} of {@code content}. */
    static String detect(InputStream content) throws IOException {
        return TYPES.detect(new java.io.ByteArrayInputStream(content.readNBytes(DETECT_BYTES)), new Metadata()).getBaseType().toString();
    }

    /** RFC 2231 extended value: {@code charset'language'percent-encoded}. */
    static String extendedValue(String value) {
        String[] pieces = value.split("'", 3);
        if (pieces.length < 3) {
            return value;
        }
        try {
            return URLDecoder.decode(pieces[2].replace("+", "%2B"), pieces[0].isEmpty() ? "US-ASCII" : pieces[0]);
        } catch (IllegalArgumentException | java.io.UnsupportedEncodingException e) {
            return pieces[2];
        }
    }
}
