package org.portcullis.backup.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.BackupParticipant;
import org.portcullis.backup.Progress;

/**
 * Making and verifying backup files. A backup is written to a hidden temporary file beside the
 * target (mode 0600) and renamed into place only when complete, so a failure — a participant's
 * error, a full disk, a crash — never leaves a partial backup under the real name, and the
 * temporary file is removed on every path the process survives.
 */
public final class BackupFiles {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final int SEGMENT_SIZE = BackupCrypto.MAX_SEGMENT;
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupFiles() {
    }

    /** A header for a new backup: fresh salt and nonce prefix, scrypt N = 2^15, r = 8, p = 1. */
    public static BackupHeader newHeader(String productVersion, String node, String keyKind) {
        byte[] salt = new byte[16];
        byte[] prefix = new byte[7];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(prefix);
        return new BackupHeader(productVersion, Instant.now(), node, keyKind, BackupCrypto.SCRYPT_N, BackupCrypto.SCRYPT_R,
                BackupCrypto.SCRYPT_P, salt, prefix, SEGMENT_SIZE, new byte[0]);
    }

    /**
     * Writes a backup of every participant to {@code target}.
     *
     * @param keyFor derives the key for the header (passphrase or key file)
     */
    public static BackupInfo create(Path target, BackupHeader header, Function<BackupHeader, byte[]> keyFor,
            List<BackupParticipant> participants, Consumer<Progress> progress) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".partial");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        boolean done = false;
        try {
            List<String> parts = new ArrayList<>();
            ProgressMeter meter = new ProgressMeter(progress, "writing", -1, -1);
            byte[] key = keyFor.apply(header);
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                    SegmentedWriter sealed = SegmentedWriter.open(file, header, key);
                    PartsWriter writer = new PartsWriter(sealed)) {
                java.util.Arrays.fill(key, (byte) 0);
                for (BackupParticipant p : participants) {
                    if (!NAME.matcher(p.name()).matches()) {
                        throw new BackupException("participant name '" + p.name() + "' is not [a-z0-9-]+");
                    }
                    p.backup(name -> {
                        parts.add(p.name() + "/" + name);
                        meter.part(p.name() + "/" + name);
                        return new java.io.FilterOutputStream(writer.part(p.name() + "/" + name)) {
                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                                out.write(b, off, len);
                                meter.bytes(len);
                            }
                        };
                    });
                }
                writer.finish();
                sealed.finish();
                meter.done();
                file.flush();
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            return new BackupInfo(target, header, List.copyOf(parts), meter.bytes(), Files.size(target));
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The clear header of {@code file} (not yet authenticated: that takes the key), or why it is not a backup. */
    public static BackupInfo header(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new BackupInfo(file, SegmentedReader.readHeader(in).header(), List.of(), -1, Files.size(file));
        }
    }

    /** Reads the whole file, verifying every segment and part, changing nothing. */
    public static BackupInfo verify(Path file, Function<BackupHeader, byte[]> keyFor, Consumer<Progress> progress) throws IOException {
        // read() takes every part to its end, authenticating each byte: nothing more to do per part
        return read(file, keyFor, new ProgressMeter(progress, "verifying", -1, -1), (name, in) -> { });
    }

    /** What a reader does with each part; the stream ends with the part. */
    @FunctionalInterface
    interface PartHandler {
        void part(String name, InputStream in) throws IOException;
    }

    /**
     * Reads the file part by part, handing each to {@code handler} as it is decrypted. The
     * handler sees bytes before the end of the file is authenticated: whatever it does must be
     * undone if this method throws.
     */
    static BackupInfo read(Path file, Function<BackupHeader, byte[]> keyFor, ProgressMeter meter, PartHandler handler) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BackupException("no backup file " + file);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            SegmentedReader.Head head = SegmentedReader.readHeader(in);
            byte[] key = keyFor.apply(head.header());
            try (SegmentedReader payload = SegmentedReader.open(in, head, key)) {
                java.util.Arrays.fill(key, (byte) 0);
                PartsReader parts = new PartsReader(payload);
                List<String> names = new ArrayList<>();
                for (String name; (name = parts.next()) != null;) {
                    names.add(name);
                    meter.part(name);
                    InputStream counted = new FilterInputStream(parts.stream()) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            if (n > 0) {
                                meter.bytes(n);
                            }
                            return n;
                        }
                    };
                    handler.part(name, counted);
                    counted.transferTo(OutputStream.nullOutputStream());
                }
                if (payload.read() >= 0) {
                    throw new BackupException("data after the end of the payload: the file was altered");
                }
                meter.done();
                return new BackupInfo(file, head.header(), List.copyOf(names), meter.bytes(), Files.size(file));
            }
        }
    }
}
