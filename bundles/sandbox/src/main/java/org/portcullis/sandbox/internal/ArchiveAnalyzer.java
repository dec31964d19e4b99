package org.portcullis.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.io.input.ProxyInputStream;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * Built-in analyser {@code archive}: opens ZIP archives (and ZIPs inside them) with
 * commons-compress, streaming, and finds programs inside, encrypted entries (which cannot be
 * analysed), and archives past their limits: nesting depth, entries, total expanded bytes, and
 * the ratio of expanded to compressed bytes (a zip bomb stops at the first limit it passes, never
 * expanded further). An archive that cannot be read is malicious too: content the sandbox cannot
 * look at is never delivered for having failed.
 */
final class ArchiveAnalyzer implements SandboxAnalyzer {

    /** The limits of one attachment's archives, all levels together. */
    record Limits(int maxDepth, int maxEntries, long maxBytes, long maxRatio) {
    }

    private static final long RATIO_FROM = 1 << 20;

    private final Limits limits;

    ArchiveAnalyzer(Limits limits) {
        this.limits = limits;
    }

    @Override
    public String name() {
        return "archive";
    }

    @Override
    public Finding analyze(Part attachment) throws IOException {
        if (!zip(attachment.detectedType(), attachment.filename())) {
            return Finding.clean();
        }
        Count count = new Count();
        try (InputStream in = attachment.open()) {
            String found = walk(in, 1, count, Math.max(1, attachment.size()));
            return found == null ? Finding.clean() : Finding.malicious(found);
        } catch (LimitException e) {
            return Finding.malicious(e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // the deadline passed: a failure, not a finding
            }
            return Finding.malicious("unreadable archive (" + e.getMessage() + ")");
        }
    }

    private static boolean zip(String type, Optional<String> filename) {
        return type.equals("application/zip") || type.equals("application/java-archive") || Risk.extension(filename).equals("zip");
    }

    /** Entries and expanded bytes so far, over every level. */
    private static final class Count {
        int entries;
        long bytes;
    }

    private static final class LimitException extends IOException {
        private static final long serialVersionUID = 1L;

        LimitException(String message) {
            super(message);
        }
    }

    /** The first finding in the archive {@code in} at {@code depth}, or null. */
    private String walk(InputStream in, int depth, Count count, long compressed) throws IOException {
        if (depth > limits.maxDepth()) {
            throw new LimitException("archive nested deeper than " + limits.maxDepth() + " levels");
        }
        ZipArchiveInputStream zip = new ZipArchiveInputStream(in, "UTF-8", true, true);
        ZipArchiveEntry e;
        byte[] buffer = new byte[64 * 1024];
        while ((e = zip.getNextEntry()) != null) {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            if (++count.entries > limits.maxEntries()) {
                throw new LimitException("archive with more than " + limits.maxEntries() + " entries");
            }
            if (e.getGeneralPurposeBit().usesEncryption()) {
                return "encrypted archive entry " + e.getName() + ": it cannot be analysed";
            }
            if (e.isDirectory()) {
                continue;
            }
            Optional<String> name = Optional.of(e.getName());
            if (Risk.EXECUTABLE_EXTENSIONS.contains(Risk.extension(name))) {
                return "program " + e.getName() + " inside the archive";
            }
            if (zip("", name)) {
                String inner = walk(new BoundedEntry(zip, count, compressed), depth + 1, count, compressed);
                if (inner != null) {
                    return inner;
                }
                continue;
            }
            java.io.PushbackInputStream body = new java.io.PushbackInputStream(new BoundedEntry(zip, count, compressed), 4);
            byte[] head = body.readNBytes(4);
            if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
                // an archive inside, whatever its name says
                body.unread(head);
                String inner = walk(body, depth + 1, count, compressed);
                if (inner != null) {
                    return inner;
                }
                continue;
            }
            if (head.length >= 2 && head[0] == 'M' && head[1] == 'Z' || head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L'
                    && head[3] == 'F') {
                return "program " + e.getName() + " inside the archive (by its content)";
            }
            while (body.read(buffer) >= 0) {
                // counted and bounded as it expands
            }
        }
        return null;
    }

    /** The current entry's bytes, counting every expanded byte against the limits as it goes. */
    private final class BoundedEntry extends ProxyInputStream {
        private final Count count;
        private final long compressed;

        BoundedEntry(InputStream entry, Count count, long compressed) {
            super(entry);
            this.count = count;
            this.compressed = compressed;
        }

        @Override
        protected void afterRead(int n) throws IOException {
            if (n <= 0) {
                return;
            }
            count.bytes += n;
            if (count.bytes > limits.maxBytes()) {
                throw new LimitException("archive expands past " + limits.maxBytes() + " bytes");
            }
            // the ratio from 1 MiB on: a small, very repetitive file is not a bomb
            if (count.bytes > RATIO_FROM && count.bytes / compressed > limits.maxRatio()) {
                throw new LimitException("archive expands more than " + limits.maxRatio() + " times its size (a zip bomb)");
            }
        }

        @Override
        public void close() {
            // the archive stream goes on to its next entry
        }
    }
}
