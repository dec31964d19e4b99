package org.portcullis.backup.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
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
import java.util.function.Function;
import java.util.regex.Pattern;

import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.BackupParticipant;

/**
 * Making and verifying backup files. A backup is written to a hidden temporary file beside the
 * target (mode 0600) and renamed into place only when complete, so a failure — a participant's
 * error, a full disk, a crash — never leaves a partial backup under the real name, and the
 * temporary file is removed on every path the process survives.
 */
public final class BackupFiles {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final int SEGMENT_SIZE = 1 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupFiles() {
    }

    /** A header for a new backup: fresh salt and nonce prefix, scrypt N = 2^15, r = 8, p = 1. */
    public static BackupHeader newHeader(String productVersion, String node, String keyKind) {
        byte[] salt = new byte[16];
        byte[] prefix = new byte[7];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(prefix);
        return new BackupHeader(productVersion, Instant.now(), node, keyKind, 1 << 15, 8, 1, salt, prefix, SEGMENT_SIZE, new byte[0]);
    }

    /**
     * Writes a backup of every participant to {@code target}.
     *
     * @param keyFor derives the key for the header (passphrase or key file)
     */
    public static BackupInfo create(Path target, BackupHeader header, Function<BackupHeader, byte[]> keyFor,
            List<BackupParticipant> participants) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".partial");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        boolean done = false;
        try {
            List<String> parts = new ArrayList<>();
            long[] partBytes = {0};
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
                        return new java.io.FilterOutputStream(writer.part(p.name() + "/" + name)) {
                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                                out.write(b, off, len);
                                partBytes[0] += len;
                            }
                        };
                    });
                }
                writer.finish();
                sealed.finish();
                file.flush();
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            return new BackupInfo(target, header, List.copyOf(parts), partBytes[0], Files.size(target));
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Reads the whole file, verifying every segment and part, changing nothing. */
    public static BackupInfo verify(Path file, Function<BackupHeader, byte[]> keyFor) throws IOException {
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
                long bytes = 0;
                byte[] buf = new byte[1 << 16];
                for (String name; (name = parts.next()) != null;) {
                    names.add(name);
                    for (int n; (n = parts.stream().read(buf)) >= 0;) {
                        bytes += n;
                    }
                }
                if (payload.read() >= 0) {
                    throw new BackupException("data after the end of the payload: the file was altered");
                }
                return new BackupInfo(file, head.header(), List.copyOf(names), bytes, Files.size(file));
            }
        }
    }
}
