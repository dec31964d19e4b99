package org.portcullis.scanner.clamav.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.ScanResult;

/**
 * The ClamAV scanner: streams each whole message to clamd, which unpacks MIME parts and
 * archives itself, and each attachment decoded on its own (see {@link #scan}). A message clamd
 * cannot scan (clamd down, too slow, too large) is {@link ScanResult.Failed}, never clean.
 */
@Component(service = MessageScanner.class, configurationPid = "org.portcullis.scanner.clamav")
@Designate(ocd = ClamavScanner.Config.class)
public class ClamavScanner implements MessageScanner {

    @ObjectClassDefinition(name = "Portcullis ClamAV scanner")
    @interface Config {
        @AttributeDefinition(description = "Where clamd listens: host:port, or unix:/path/to/clamd.ctl")
        String address() default "127.0.0.1:3310";

        @AttributeDefinition(description = "How long one scan may take, in seconds")
        int timeout_seconds() default 60;

        @AttributeDefinition(description = "Largest message sent to clamd, in bytes; must not exceed clamd's StreamMaxLength")
        long stream_max_bytes() default 25L * 1024 * 1024;

        @AttributeDefinition(description = "Most scans sent to clamd at once (keep at or below clamd's MaxThreads)")
        int max_connections() default 8;

        @AttributeDefinition(description = "What a part clamd could not scan completely (Heuristics.Limits.Exceeded, with AlertExceedsMax "
                + "in clamd.conf) means: infected (rejected like a virus), failed (the milter's scanner-failure policy), or clean")
        String limits_exceeded() default "infected";
    }

    /** What a clamd limit hit on a part becomes. */
    enum LimitPolicy {
        INFECTED, FAILED, CLEAN;

        static LimitPolicy parse(String text) {
            try {
                return valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("limits.exceeded '" + text + "': use infected, failed or clean");
            }
        }
    }

    /** The threat name clamd reports when a limit stopped a scan ({@code AlertExceedsMax yes}). */
    static final String LIMITS = "Heuristics.Limits.Exceeded";

    private ScheduledExecutorService deadlines;
    private volatile ClamdClient client;
    private volatile Duration timeout = Duration.ofSeconds(60);
    private volatile LimitPolicy limits = LimitPolicy.INFECTED;

    @Activate
    void activate(Config config) {
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "portcullis-clamav-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // answered scans take their deadline out of the queue
        deadlines = timer;
        timeout = Duration.ofSeconds(Math.max(1, config.timeout_seconds()));
        limits = LimitPolicy.parse(config.limits_exceeded());
        client = new ClamdClient(ClamdAddress.parse(config.address()), timeout, config.stream_max_bytes(),
                Math.max(1, config.max_connections()), deadlines);
    }

    @Deactivate
    void deactivate() {
        client.close();
        deadlines.shutdownNow();
    }

    @Override
    public String name() {
        return "clamav";
    }

    @Override
    public Category category() {
        return Category.VIRUS;
    }

    /**
     * The message's deadline: {@code timeout.seconds} is each clamd call's, and a message may
     * need the whole-message scan and its archive parts, so it gets twice that in all.
     */
    @Override
    public Duration timeout() {
        return timeout.multipliedBy(2);
    }

    /**
     * The whole message first (clamd's mail parser, its MIME-level signatures); then, decoded,
     * each archive attachment on its own, so MIME nesting costs no archive depth — clamd counts every
     * MIME level against {@code MaxRecursion}, and an archive nested deep enough inside a
     * message passes a whole-message scan while the same file is found alone. A message that
     * is one text part is not split at all; a text part without a file name is scanned apart
     * only when the whole message hit a limit. A limit hit
     * on the whole message is settled by the parts (each scanned from its own top); a limit hit
     * on a part is {@code limits.exceeded}.
     */
    @Override
    public ScanResult scan(Message message) throws IOException, InterruptedException {
        ScanResult whole = client.scan(message::openRaw, message.size());
        if (whole instanceof ScanResult.Failed || whole instanceof ScanResult.Infected i && !isLimit(i)) {
            return whole;
        }
        boolean wholeHitLimit = whole instanceof ScanResult.Infected;
        if (!wholeHitLimit && !mayHoldAttachments(message)) {
            return whole; // a single text part: nothing to split out, no MIME parse
        }
        String limitHit = null;
        for (Part part : message.parts()) {
            if (part.container() || !wholeHitLimit && !attachment(part)) {
                continue;
            }
            ScanResult r = client.scan(part::open, part.size());
            if (r instanceof ScanResult.Failed f) {
                return ScanResult.failed("part " + part.path() + ": " + f.reason());
            }
            if (r instanceof ScanResult.Infected i) {
                if (!isLimit(i)) {
                    return r;
                }
                limitHit = limitHit == null ? i.threat() + " in part " + part.path() : limitHit;
            }
        }
        if (limitHit == null) {
            return ScanResult.clean();
        }
        return switch (limits) {
            case INFECTED -> ScanResult.infected(limitHit);
            case FAILED -> ScanResult.failed("clamd could not scan all of it: " + limitHit);
            case CLEAN -> ScanResult.clean();
        };
    }

    /** Whether the message is anything but a single text part (no Content-Type means text/plain). */
    static boolean mayHoldAttachments(Message message) {
        for (Message.Header h : message.headers()) {
            if (h.name().equalsIgnoreCase("Content-Type")) {
                return !h.value().strip().regionMatches(true, 0, "text/", 0, 5);
            }
        }
        return false;
    }

    private static boolean isLimit(ScanResult.Infected i) {
        return i.threat().startsWith(LIMITS);
    }

    private static final java.util.regex.Pattern ARCHIVE_TYPE = java.util.regex.Pattern.compile(
            ".*(zip|compress|tar|rar|7z|bzip|xz|lzma|lzh|lha|arj|cab|archive|ooxml|opendocument|iso9660|zstd|cpio|rpm|debian|java-archive).*");
    private static final java.util.regex.Pattern ARCHIVE_NAME = java.util.regex.Pattern.compile(
            "(?i).*\\.(zip|gz|tgz|tar|7z|rar|bz2|tbz2?|xz|txz|lzma|lz|lzh|lha|arj|cab|jar|war|apk|iso|img|z|zst|cpio|rpm|deb|"
                    + "docx|docm|xlsx|xlsm|pptx|pptm|odt|ods|odp)");

    /**
     * A part worth a scan of its own: an archive (by the type the sender declared, the file
     * name, or its first bytes), where each MIME level above it would cost clamd one of
     * its archive levels. Any other attachment gains nothing from a second scan: clamd reads it
     * fully inside the message.
     */
    static boolean attachment(Part part) {
        return ARCHIVE_TYPE.matcher(part.declaredType()).matches() || part.filename().map(n -> ARCHIVE_NAME.matcher(n).matches()).orElse(false)
                || archiveMagic(part);
    }

    /**
     * Whether the part's first bytes are those of an archive (zip and the formats built on it,
     * gzip, bzip2, xz, 7z, rar, cab, tar): a disguised archive is caught without asking for the
     * part's full type detection, which costs more than the scan it would decide.
     */
    static boolean archiveMagic(Part part) {
        byte[] head;
        try (java.io.InputStream in = part.open()) {
            head = in.readNBytes(262);
        } catch (IOException e) {
            return true; // unreadable here: let clamd say
        }
        return starts(head, 0, 'P', 'K', 3, 4) || starts(head, 0, 0x1f, 0x8b) || starts(head, 0, 'B', 'Z', 'h')
                || starts(head, 0, 0xfd, '7', 'z', 'X', 'Z') || starts(head, 0, '7', 'z', 0xbc, 0xaf, 0x27, 0x1c)
                || starts(head, 0, 'R', 'a', 'r', '!') || starts(head, 0, 'M', 'S', 'C', 'F') || starts(head, 257, 'u', 's', 't', 'a', 'r');
    }

    private static boolean starts(byte[] b, int at, int... magic) {
        if (b.length < at + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[at + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether clamd answers; for health reports. */
    public boolean healthy() {
        return client.ping();
    }
}
