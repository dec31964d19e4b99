package org.portcullis.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PushbackInputStream;
import java.util.Collections;
import java.util.Optional;

import org.apache.commons.compress.PasswordRequiredException;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.io.input.ProxyInputStream;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * Built-in analyser {@code archive}: opens archives with commons-compress — ZIP, TAR and 7z, and
 * the gzip, bzip2 and xz layers around them or around a single file — recognised by their first
 * bytes whatever their names, and archives inside archives the same way. It finds programs
 * inside (by name or by their first bytes), encrypted entries (which cannot be analysed), and
 * archives past their limits: nesting depth (each archive or compression layer is a level),
 * entries, total expanded bytes, and the ratio of expanded to compressed bytes (a bomb stops at
 * the first limit it passes, never expanded further), and the memory an xz or 7z stream may ask
 * for. TAR is read as a stream; ZIP (through its central directory, as Windows reads it) and 7z
 * (which needs random access) are copied to a temporary file first (their bytes counted like any
 * expansion when they are nested). A RAR archive, which commons-compress cannot
 * read, and any archive that cannot be read are malicious: content the sandbox cannot look at is
 * never delivered for having failed.
 */
final class ArchiveAnalyzer implements SandboxAnalyzer {

    /** The limits of one attachment's archives, all levels together. */
    record Limits(int maxDepth, int maxEntries, long maxBytes, long maxRatio) {
    }

    /** What a stream's first bytes say it is. */
    enum Format {
        ZIP, TAR, SEVEN_Z, RAR, GZIP, BZIP2, XZ, NONE;

        static Format of(byte[] h) {
            if (starts(h, 'P', 'K', 3, 4) || starts(h, 'P', 'K', 5, 6)) {
                return ZIP;
            }
            if (starts(h, '7', 'z', 0xBC, 0xAF, 0x27, 0x1C)) {
                return SEVEN_Z;
            }
            if (starts(h, 'R', 'a', 'r', '!', 0x1A, 0x07)) {
                return RAR;
            }
            if (starts(h, 0x1F, 0x8B)) {
                return GZIP;
            }
            if (starts(h, 'B', 'Z', 'h')) {
                return BZIP2;
            }
            if (starts(h, 0xFD, '7', 'z', 'X', 'Z', 0)) {
                return XZ;
            }
            if (h.length >= 262 && h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r') {
                return TAR;
            }
            return NONE;
        }

        private static boolean starts(byte[] h, int... magic) {
            if (h.length < magic.length) {
                return false;
            }
            for (int i = 0; i < magic.length; i++) {
                if ((h[i] & 0xFF) != magic[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final long RATIO_FROM = 1 << 20;
    private static final int HEAD = 512;
    /**
     * Memory an xz stream or a 7z archive may ask for to be decoded (its dictionary, its header),
     * in KiB: a 64 MiB dictionary (7-Zip's "ultra") and its coder fit.
     */
    private static final int MEMORY_KB = 80 * 1024;

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
        Format format;
        try (InputStream in = attachment.open()) {
            format = Format.of(in.readNBytes(HEAD));
        }
        if (format == Format.NONE) {
            if (!zip(attachment.detectedType(), attachment.filename())) {
                return Finding.clean();
            }
            format = Format.ZIP; // says it is a ZIP and does not start like one: read as one, so it is found unreadable
        }
        Count count = new Count(Math.max(1, attachment.size()));
        try (InputStream in = attachment.open()) {
            String found = open(in, format, attachment.filename().orElse("attachment"), 1, count);
            return found == null ? Finding.clean() : Finding.malicious(found);
        } catch (LimitException e) {
            return Finding.malicious(e.getMessage());
        } catch (PasswordRequiredException e) {
            return Finding.malicious("encrypted archive " + attachment.filename().orElse("") + ": it cannot be analysed");
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

    /** Entries and expanded bytes so far, over every level, and the attachment's own size. */
    private static final class Count {
        final long compressed;
        int entries;
        long bytes;

        Count(long compressed) {
            this.compressed = compressed;
        }
    }

    private static final class LimitException extends IOException {
        private static final long serialVersionUID = 1L;

        LimitException(String message) {
            super(message);
        }
    }

    /** The first finding in the archive or compressed stream {@code in} of {@code format}, at {@code depth}; or null. */
    private String open(InputStream in, Format format, String name, int depth, Count count) throws IOException {
        if (depth > limits.maxDepth()) {
            throw new LimitException("archive nested deeper than " + limits.maxDepth() + " levels");
        }
        return switch (format) {
            case ZIP -> zip(in, depth, count);
            case TAR -> entries(new TarArchiveInputStream(in), depth, count);
            case SEVEN_Z -> sevenZ(in, depth, count);
            case RAR -> "RAR archive " + name + ": its contents cannot be analysed";
            case GZIP -> content(strip(name), new Bounded(new GzipCompressorInputStream(in, true), count), depth, count);
            case BZIP2 -> content(strip(name), new Bounded(new BZip2CompressorInputStream(in, true), count), depth, count);
            case XZ -> content(strip(name), new Bounded(new XZCompressorInputStream(in, true, MEMORY_KB), count), depth, count);
            case NONE -> throw new IllegalStateException("not an archive");
        };
    }

    /** A TAR archive's entries, as they stream. */
    private <E extends ArchiveEntry> String entries(ArchiveInputStream<E> archive, int depth, Count count) throws IOException {
        E e;
        while ((e = archive.getNextEntry()) != null) {
            if (++count.entries > limits.maxEntries()) {
                throw new LimitException("archive with more than " + limits.maxEntries() + " entries");
            }
            if (e.isDirectory()) {
                continue;
            }
            String found = content(e.getName(), new Bounded(archive, count), depth, count);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * A ZIP archive: copied to a file and read through its central directory, as Windows and mail
     * clients read it (a stream reader follows the local headers, which can name other entries, or
     * fewer, than the directory shows).
     */
    private String zip(InputStream in, int depth, Count count) throws IOException {
        return TempCopy.of(in, ".zip", copy -> {
            try (ZipFile file = ZipFile.builder().setPath(copy).get()) {
                for (ZipArchiveEntry e : Collections.list(file.getEntriesInPhysicalOrder())) {
                    if (++count.entries > limits.maxEntries()) {
                        throw new LimitException("archive with more than " + limits.maxEntries() + " entries");
                    }
                    if (e.getGeneralPurposeBit().usesEncryption()) {
                        return "encrypted archive entry " + e.getName() + ": it cannot be analysed";
                    }
                    if (e.isDirectory()) {
                        continue;
                    }
                    String found;
                    try (InputStream entry = file.getInputStream(e)) {
                        found = content(e.getName(), new Bounded(entry, count), depth, count);
                    }
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        });
    }

    /** A 7z archive: copied to a file (7z needs random access), then each entry in order. */
    private String sevenZ(InputStream in, int depth, Count count) throws IOException {
        return TempCopy.of(in, ".7z", copy -> {
            // the memory a 7z's header and coders may claim is bounded too (past it: unreadable, so kept)
            try (SevenZFile file = SevenZFile.builder().setPath(copy).setMaxMemoryLimitKiB(MEMORY_KB).get()) {
                SevenZArchiveEntry e;
                while ((e = file.getNextEntry()) != null) {
                    if (++count.entries > limits.maxEntries()) {
                        throw new LimitException("archive with more than " + limits.maxEntries() + " entries");
                    }
                    if (e.isDirectory() || !e.hasStream()) {
                        continue;
                    }
                    String found;
                    try {
                        found = content(e.getName(), new Bounded(new SevenZEntry(file), count), depth, count);
                    } catch (PasswordRequiredException p) {
                        return "encrypted archive entry " + e.getName() + ": it cannot be analysed";
                    }
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        });
    }

    /** One entry's (or a compressed file's) content: a program by name or by content, another archive, or read through. */
    private String content(String name, InputStream body, int depth, Count count) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
        if (Risk.EXECUTABLE_EXTENSIONS.contains(Risk.extension(Optional.of(name)))) {
            return "program " + name + " inside the archive";
        }
        PushbackInputStream peek = new PushbackInputStream(body, HEAD);
        byte[] head = peek.readNBytes(HEAD);
        peek.unread(head);
        Format inner = Format.of(head);
        if (inner != Format.NONE) {
            return open(peek, inner, name, depth + 1, count); // an archive inside, whatever its name says
        }
        if (head.length >= 2 && head[0] == 'M' && head[1] == 'Z'
                || head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
            return "program " + name + " inside the archive (by its content)";
        }
        byte[] buffer = new byte[64 * 1024];
        while (peek.read(buffer) >= 0) {
            // counted and bounded as it expands
        }
        return null;
    }

    /** {@code name} without its compression suffix: {@code a.tar.gz} → {@code a.tar}, {@code run.exe.bz2} → {@code run.exe}. */
    private static String strip(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
        return switch (ext) {
            case "gz", "bz2", "xz" -> name.substring(0, dot);
            case "tgz", "tbz2", "txz" -> name.substring(0, dot) + ".tar";
            default -> name;
        };
    }

    /** The current 7z entry, read through the file (which keeps its place). */
    private static final class SevenZEntry extends InputStream {
        private final SevenZFile file;

        SevenZEntry(SevenZFile file) {
            this.file = file;
        }

        @Override
        public int read() throws IOException {
            return file.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return file.read(b, off, len);
        }

        @Override
        public void close() {
            // the file goes on to its next entry
        }
    }

    /** Expanded bytes, counted against the limits as they come. */
    private final class Bounded extends ProxyInputStream {
        private final Count count;

        Bounded(InputStream expanded, Count count) {
            super(expanded);
            this.count = count;
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
            if (count.bytes > RATIO_FROM && count.bytes / count.compressed > limits.maxRatio()) {
                throw new LimitException("archive expands more than " + limits.maxRatio() + " times its size (a zip bomb)");
            }
        }

        @Override
        public void close() {
            // the archive stream goes on to its next entry
        }
    }
}
