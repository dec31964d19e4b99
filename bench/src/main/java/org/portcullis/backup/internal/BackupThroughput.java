package org.portcullis.backup.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;

import org.portcullis.backup.BackupHeader;

/**
 * Payload throughput of the backup format: {@code size} MiB through the segmented AES-256-GCM
 * writer into a discarding stream, then the same through writer → reader (verify and decrypt),
 * 1 MiB segments, several runs. The key is derived once (scrypt is measured apart: it is per
 * backup, not per byte).
 */
public final class BackupThroughput {

    private BackupThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] prefix = new byte[7];
        random.nextBytes(salt);
        random.nextBytes(prefix);
        BackupHeader h = new BackupHeader("bench", Instant.now(), "bench", "passphrase", 1 << 15, 8, 1, salt, prefix, 1 << 20, new byte[0]);
        long t0 = System.nanoTime();
        byte[] key = BackupCrypto.keyFromPassphrase("a passphrase for the benchmark".toCharArray(), h);
        System.out.println(String.format(Locale.ROOT, "scrypt (N=2^15, r=8, p=1): %.0f ms", (System.nanoTime() - t0) / 1e6));
        byte[] chunk = new byte[256 * 1024];
        random.nextBytes(chunk);
        for (int run = 1; run <= 3; run++) {
            long start = System.nanoTime();
            try (SegmentedWriter w = SegmentedWriter.open(OutputStream.nullOutputStream(), h, key)) {
                for (long left = (long) mib << 20; left > 0; left -= chunk.length) {
                    w.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.println(String.format(Locale.ROOT, "run %d: encrypt %d MiB in %.2f s = %.0f MiB/s", run, mib, s, mib / s));
        }
        for (int run = 1; run <= 3; run++) {
            PipedInputStream pipeIn = new PipedInputStream(4 << 20);
            PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
            long start = System.nanoTime();
            Thread writer = new Thread(() -> {
                try (SegmentedWriter w = SegmentedWriter.open(pipeOut, h, key)) {
                    for (long left = (long) mib << 20; left > 0; left -= chunk.length) {
                        w.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            long read;
            try (InputStream in = pipeIn) {
                SegmentedReader.Head head = SegmentedReader.readHeader(in);
                read = SegmentedReader.open(in, head, key).verifyToEnd();
            }
            writer.join();
            double s = (System.nanoTime() - start) / 1e9;
            System.out.println(String.format(Locale.ROOT, "run %d: encrypt, verify and decrypt %d MiB (two threads) in %.2f s = %.0f MiB/s",
                    run, read >> 20, s, (read >> 20) / s));
        }
    }
}
