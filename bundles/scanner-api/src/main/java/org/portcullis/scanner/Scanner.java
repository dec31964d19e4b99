package org.portcullis.scanner;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scanner, registered as an OSGi service under {@link MessageScanner} (it wants the whole
 * message) or {@link PartScanner} (it wants each MIME part, attachments included). Implement one
 * of those two, not this interface alone.
 *
 * <p><b>Lifecycle.</b> Scanners are picked up as they are registered and dropped as they go,
 * while mail flows: a message already being scanned finishes with the scanners it started with.
 *
 * <p><b>Threads.</b> One scanner instance is called concurrently, for many messages (and, for a
 * part scanner, many parts) at once. Keep no per-message state in fields.
 *
 * <p><b>Time.</b> Each call must return within {@link #timeout()}. When it does not, its result is
 * taken as {@link ScanResult.Failed} and the thread is interrupted; what a failure does to the
 * mail is set by the admin (by default the sender gets a temporary failure and retries).
 */
@ConsumerType
public interface Scanner {

    /** A short, stable name (letters, digits, '-', '.'), shown in headers, logs and {@code milter:scanners}. */
    String name();

    /** How long one call may take. */
    default Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * What kind of check this is. It decides what an Allow list entry skips: a sender on an Allow
     * list is not checked by {@link Category#SPAM} and {@link Category#REPUTATION} scanners, and
     * is always checked by every other kind.
     */
    default Category category() {
        return Category.OTHER;
    }

    /** Kinds of scanner. */
    enum Category {
        /** Malware: viruses, trojans, macro and archive threats. */
        VIRUS,
        /** Content that looks like spam. */
        SPAM,
        /** The sender's or client's standing: block lists of IPs and domains, DNS-based checks. */
        REPUTATION,
        /** Running or detonating attachments in isolation. */
        SANDBOX,
        /** Anything else (attachment policy, data-loss rules); never skipped. */
        OTHER
    }
}
