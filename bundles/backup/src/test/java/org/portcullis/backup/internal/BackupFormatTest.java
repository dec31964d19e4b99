package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;

/** The file format: round trips, and every kind of damage refused (flips, truncation, reordering, swaps, wrong key). */
class BackupFormatTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SEGMENT = 64;

    private static BackupHeader header(String keyKind) {
        byte[] salt = new byte[16];
        byte[] prefix = new byte[7];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(prefix);
        return new BackupHeader("1.2.0", Instant.parse("2026-11-28T12:00:00Z"), "gw1.example", keyKind, 1 << 15, 8, 1, salt, prefix,
                SEGMENT, new byte[0]);
    }

    private static byte[] write(BackupHeader h, byte[] key, byte[] payload) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (SegmentedWriter w = SegmentedWriter.open(file, h, key)) {
            // in odd pieces, so segments are cut across writes
            for (int at = 0; at < payload.length; at += 37) {
                w.write(payload, at, Math.min(37, payload.length - at));
            }
        }
        return file.toByteArray();
    }

    private static byte[] read(byte[] file, byte[] key) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(file);
        SegmentedReader.Head head = SegmentedReader.readHeader(in);
        try (SegmentedReader r = SegmentedReader.open(in, head, key)) {
            return r.readAllBytes();
        }
    }

    @Test
    void aHeaderAskingForMoreKeyDerivationOrLargerSegmentsThanWeWriteIsRefusedBeforeAnyKeyIsDerived() throws IOException {
        byte[] key = random(32);
        int[][] costs = {{1 << 20, 8, 1}, {1 << 24, 8, 1}, {1 << 15, 8, 40}, {1 << 15, 16, 1}, {3, 8, 1}, {0, 8, 1}};
        for (int[] cost : costs) {
            BackupHeader h = header("passphrase");
            BackupHeader raised = new BackupHeader(h.productVersion(), h.created(), h.node(), h.keyKind(), cost[0], cost[1], cost[2], h.salt(),
                    h.noncePrefix(), SEGMENT, new byte[0]);
            byte[] file = write(raised, key, random(100));
            BackupException e = assertThrows(BackupException.class, () -> SegmentedReader.readHeader(new ByteArrayInputStream(file)));
            assertTrue(e.getMessage().startsWith("backup header asks for scrypt N=" + cost[0] + ", r=" + cost[1] + ", p=" + cost[2]
                    + ", beyond what Portcullis writes (N=32768, r=8, p=1)"), e.getMessage());
        }
        BackupHeader h = header("keyfile");
        BackupHeader huge = new BackupHeader(h.productVersion(), h.created(), h.node(), h.keyKind(), h.scryptN(), h.scryptR(), h.scryptP(),
                h.salt(), h.noncePrefix(), 64 << 20, new byte[0]);
        byte[] file = write(huge, key, random(100));
        assertEquals("backup header is damaged (segment size 67108864, at most 1048576)",
                assertThrows(BackupException.class, () -> SegmentedReader.readHeader(new ByteArrayInputStream(file))).getMessage());
        // what backup:create writes passes
        SegmentedReader.readHeader(new ByteArrayInputStream(write(header("passphrase"), key, random(10))));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Test
    void aPassphraseBackupReadsBackExactlyAndSoDoesAKeyFileOne() throws Exception {
        BackupHeader h = header("passphrase");
        byte[] key = BackupCrypto.keyFromPassphrase("correct horse battery staple".toCharArray(), h);
        for (int size : new int[] {0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 10 * SEGMENT, 1000}) {
            byte[] payload = random(size);
            assertArrayEquals(payload, read(write(h, key, payload), key), "payload of " + size + " bytes");
        }
        BackupHeader k = header("keyfile");
        byte[] fileKey = BackupCrypto.keyFromKeyFile(random(64), k);
        byte[] payload = random(500);
        byte[] file = write(k, fileKey, payload);
        assertArrayEquals(payload, read(file, fileKey));
        assertEquals("keyfile", SegmentedReader.readHeader(new ByteArrayInputStream(file)).header().keyKind());
    }

    @Test
    void everySingleFlippedByteIsRefused() throws Exception {
        BackupHeader h = header("keyfile");
        byte[] key = BackupCrypto.keyFromKeyFile(random(32), h);
        byte[] file = write(h, key, random(5 * SEGMENT + 10));
        int refused = 0;
        for (int at = 0; at < file.length; at++) { // header, every segment's length, body and tag, the end
            for (int bit : new int[] {0x01, 0x80}) {
                byte[] bad = file.clone();
                bad[at] ^= (byte) bit;
                assertThrows(IOException.class, () -> read(bad, key), "flip at offset " + at + " went unnoticed");
                refused++;
            }
        }
        assertEquals(2 * file.length, refused);
    }

    @Test
    void truncationAtAndBetweenSegmentBoundariesIsRefused() throws Exception {
        BackupHeader h = header("keyfile");
        byte[] key = BackupCrypto.keyFromKeyFile(random(32), h);
        byte[] file = write(h, key, random(4 * SEGMENT));
        for (int length = 0; length < file.length; length++) {
            byte[] cut = Arrays.copyOf(file, length);
            BackupException e = assertThrows(BackupException.class, () -> read(cut, key), "cut at " + length);
            assertTrue(e.getMessage().length() < 200, e.getMessage());
        }
        // and cut exactly before the last segment: the message says so
        List<int[]> segments = segments(file);
        assertEquals(4, segments.size(), "four full segments, the fourth marked last");
        int boundary = segments.get(3)[0];
        BackupException e = assertThrows(BackupException.class, () -> read(Arrays.copyOf(file, boundary), key));
        assertEquals("the backup is truncated: it ends after segment 2 without its last segment", e.getMessage());
    }

    @Test
    void segmentsReorderedOrSwappedWithAnotherBackupAreRefused() throws Exception {
        byte[] keyFile = random(32);
        BackupHeader h1 = header("keyfile");
        BackupHeader h2 = new BackupHeader(h1.productVersion(), h1.created(), h1.node(), h1.keyKind(), h1.scryptN(), h1.scryptR(),
                h1.scryptP(), h1.salt(), random(7), SEGMENT, new byte[0]); // same key, another backup
        byte[] key = BackupCrypto.keyFromKeyFile(keyFile, h1);
        byte[] a = write(h1, key, random(3 * SEGMENT));
        byte[] b = write(h2, key, random(3 * SEGMENT));
        List<int[]> sa = segments(a);
        List<int[]> sb = segments(b);

        byte[] swapped = a.clone();
        System.arraycopy(b, sb.get(1)[0], swapped, sa.get(1)[0], sa.get(1)[1]); // segment 1 of b into a
        BackupException mixed = assertThrows(BackupException.class, () -> read(swapped, key));
        assertTrue(mixed.getMessage().startsWith("segment 1 failed authentication"), mixed.getMessage());

        byte[] reordered = a.clone();
        System.arraycopy(a, sa.get(0)[0], reordered, sa.get(1)[0], sa.get(0)[1]);
        System.arraycopy(a, sa.get(1)[0], reordered, sa.get(0)[0], sa.get(1)[1]);
        assertThrows(BackupException.class, () -> read(reordered, key));
    }

    @Test
    void aWrongPassphraseIsRefusedBeforeAnySegmentIsRead() throws Exception {
        BackupHeader h = header("passphrase");
        byte[] file = write(h, BackupCrypto.keyFromPassphrase("the right one".toCharArray(), h), random(100));
        byte[] wrong = BackupCrypto.keyFromPassphrase("the wrong one".toCharArray(), h);
        BackupException e = assertThrows(BackupException.class, () -> read(file, wrong));
        assertEquals("wrong passphrase or key file for this backup (or its header was altered)", e.getMessage());
    }

    @Test
    void notABackupAndANewerFormatAreRefusedSayingWhat() throws Exception {
        assertEquals("not a Portcullis backup (it does not start with the PCBACKUP mark)",
                assertThrows(BackupException.class, () -> SegmentedReader.readHeader(new ByteArrayInputStream("hello world".getBytes())))
                        .getMessage());
        assertEquals("not a Portcullis backup (too short for a header)",
                assertThrows(BackupException.class, () -> SegmentedReader.readHeader(new ByteArrayInputStream(new byte[3]))).getMessage());
        BackupHeader h = header("keyfile");
        byte[] file = write(h, BackupCrypto.keyFromKeyFile(random(32), h), random(10));
        file[8] = 0;
        file[9] = 2; // format version 2
        assertEquals("backup format 2 is newer than this Portcullis reads (format 1): restore it on the version that made it",
                assertThrows(BackupException.class, () -> SegmentedReader.readHeader(new ByteArrayInputStream(file))).getMessage());
    }

    /** Offsets and lengths of each stored segment (length prefix included). */
    private static List<int[]> segments(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        b.position(8 + 2);
        int headerLength = b.getInt();
        b.position(b.position() + headerLength);
        List<int[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            int len = b.getInt();
            b.position(b.position() + len);
            out.add(new int[] {start, 4 + len});
        }
        return out;
    }
}
