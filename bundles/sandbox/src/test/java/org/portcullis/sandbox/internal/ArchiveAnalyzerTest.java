package org.portcullis.sandbox.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZOutputFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.portcullis.sandbox.Finding;

/** Archives of every format, bombs, nesting, encryption, many entries, programs inside and broken archives: each a one-line finding, never a failure. */
class ArchiveAnalyzerTest {

    private final ArchiveAnalyzer analyzer = new ArchiveAnalyzer(new ArchiveAnalyzer.Limits(3, 1000, 100L << 20, 100));

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    private Finding analyze(byte[] zip) throws IOException {
        return analyzer.analyze(TestPart.of("files.zip", "application/zip", zip));
    }

    @Test
    void anOrdinaryArchiveIsClean() throws IOException {
        assertEquals(Finding.clean(), analyze(zip("notes.txt", "minutes of the meeting".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Finding.clean(), analyzer.analyze(TestPart.of("notes.txt", "text/plain", new byte[] {'x'})), "not an archive");
    }

    @Test
    void aZipBombStopsAtTheRatioWithoutExpandingFurther() throws IOException {
        byte[] bomb = zip("zeros.bin", new byte[64 << 20]); // 64 MiB of zeros, about 64 KiB compressed
        long start = System.nanoTime();
        Finding f = analyze(bomb);
        assertEquals(Finding.malicious("archive expands more than 100 times its size (a zip bomb)"), f);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000, "stopped early");
        ArchiveAnalyzer small = new ArchiveAnalyzer(new ArchiveAnalyzer.Limits(3, 1000, 10L << 20, 1_000_000));
        assertEquals(Finding.malicious("archive expands past 10485760 bytes"), small.analyze(TestPart.of("z.zip", "application/zip", bomb)));
    }

    @Test
    void aNestedBombLike42ZipStopsAtALimitAndFast() throws IOException {
        // 16 zips of 16 copies of 4 MiB of zeros, each level zipped: 1 GiB expanded from a few KiB
        byte[] leaf = zip("zeros.bin", new byte[4 << 20]);
        ByteArrayOutputStream level = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(level)) {
            for (int i = 0; i < 16; i++) {
                z.putNextEntry(new ZipEntry("inner" + i + ".zip"));
                z.write(leaf);
                z.closeEntry();
            }
        }
        byte[] middle = level.toByteArray();
        ByteArrayOutputStream top = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(top)) {
            for (int i = 0; i < 16; i++) {
                z.putNextEntry(new ZipEntry("lib" + i + ".zip"));
                z.write(middle);
                z.closeEntry();
            }
        }
        long start = System.nanoTime();
        Finding f = analyze(top.toByteArray());
        assertTrue(f.malicious() && (f.reason().contains("(a zip bomb)") || f.reason().startsWith("archive expands past")), f.reason());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000, "stopped early");
    }

    @Test
    void theCentralDirectoryIsWhatCountsAsWindowsReadsIt() throws IOException {
        // the local header says report.txt, the central directory (what Explorer and mail clients list) says report.vbs
        byte[] z = zip("report.txt", "MsgBox 1".getBytes(StandardCharsets.US_ASCII));
        byte[] local = "report.txt".getBytes(StandardCharsets.US_ASCII);
        byte[] central = "report.vbs".getBytes(StandardCharsets.US_ASCII);
        int patched = 0;
        for (int i = 0; i + 46 < z.length; i++) {
            if (z[i] == 'P' && z[i + 1] == 'K' && z[i + 2] == 1 && z[i + 3] == 2) {
                assertEquals(local[0], z[i + 46]);
                System.arraycopy(central, 0, z, i + 46, central.length);
                patched++;
            }
        }
        assertEquals(1, patched);
        assertEquals(Finding.malicious("program report.vbs inside the archive"), analyze(z));
    }

    @Test
    void nestingPastTheLimitIsRefused() throws IOException {
        byte[] inner = zip("a.txt", "x".getBytes(StandardCharsets.US_ASCII));
        for (int level = 0; level < 3; level++) {
            inner = zip("level" + level + ".zip", inner);
        }
        assertEquals(Finding.malicious("archive nested deeper than 3 levels"), analyze(inner));
    }

    @Test
    void anEncryptedEntryCannotBeAnalysed() throws IOException {
        // no writer here encrypts: set the "encrypted" flag (bit 0) in the local and the central header by hand
        byte[] zip = zip("secret.doc", new byte[] {1, 2, 3});
        for (int i = 0; i + 4 < zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4) {
                zip[i + 6] |= 1;
            } else if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) {
                zip[i + 8] |= 1;
            }
        }
        assertEquals(Finding.malicious("encrypted archive entry secret.doc: it cannot be analysed"), analyze(zip));
    }

    @Test
    void tooManyEntriesProgramsInsideAndBrokenArchivesAreFindings() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < 1001; i++) {
                z.putNextEntry(new ZipEntry("f" + i + ".txt"));
                z.closeEntry();
            }
        }
        assertEquals(Finding.malicious("archive with more than 1000 entries"), analyze(out.toByteArray()));
        assertEquals(Finding.malicious("program invoice.pdf.exe inside the archive"), analyze(zip("invoice.pdf.exe", new byte[] {1})));
        assertEquals(Finding.malicious("program run.exe inside the archive"), analyze(zip("invoice.dat", zip("run.exe", new byte[] {1}))),
                "an archive inside is opened whatever its name");
        assertEquals(Finding.malicious("program invoice.pdf inside the archive (by its content)"),
                analyze(zip("invoice.pdf", "MZ\u0090\u0000 a program".getBytes(StandardCharsets.ISO_8859_1))));
        byte[] broken = zip("notes.txt", new byte[4096]);
        for (int i = 30; i < broken.length; i++) {
            broken[i] = (byte) 0xA5;
        }
        Finding f = analyze(broken);
        assertTrue(f.malicious() && f.reason().startsWith("unreadable archive ("), f.toString());
    }

    private static byte[] tar(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(content.length);
            t.putArchiveEntry(e);
            t.write(content);
            t.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private interface Compressor {
        OutputStream around(OutputStream out) throws IOException;
    }

    private static byte[] compressed(Compressor c, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = c.around(out)) {
            z.write(content);
        }
        return out.toByteArray();
    }

    private static byte[] sevenZ(String name, byte[] content) throws IOException {
        SeekableInMemoryByteChannel channel = new SeekableInMemoryByteChannel();
        try (SevenZOutputFile z = new SevenZOutputFile(channel)) {
            SevenZArchiveEntry e = new SevenZArchiveEntry();
            e.setName(name);
            z.putArchiveEntry(e);
            z.write(content);
            z.closeArchiveEntry();
        }
        return java.util.Arrays.copyOf(channel.array(), (int) channel.size());
    }

    @Test
    void tarGzipBzip2XzAnd7zAreOpenedByTheirFirstBytes() throws IOException {
        byte[] program = "MZ\u0090\u0000 a program".getBytes(StandardCharsets.ISO_8859_1);
        byte[] text = "minutes".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Finding.malicious("program run.exe inside the archive"),
                analyzer.analyze(TestPart.of("backup.tgz", "application/gzip", compressed(GzipCompressorOutputStream::new, tar("run.exe", text)))));
        assertEquals(Finding.malicious("program invoice.pdf inside the archive (by its content)"),
                analyzer.analyze(TestPart.of("invoice.pdf.bz2", "application/octet-stream", compressed(BZip2CompressorOutputStream::new, program))));
        assertEquals(Finding.malicious("program report.doc inside the archive (by its content)"),
                analyzer.analyze(TestPart.of("files.dat", "application/octet-stream",
                        compressed(XZCompressorOutputStream::new, tar("report.doc", program)))), "xz around tar, whatever the name");
        assertEquals(Finding.malicious("program setup.scr inside the archive"),
                analyzer.analyze(TestPart.of("photos.7z", "application/x-7z-compressed", sevenZ("setup.scr", text))));
        assertEquals(Finding.malicious("program payload.bin inside the archive (by its content)"),
                analyzer.analyze(TestPart.of("photos.zip", "application/zip", zip("inner.7z", sevenZ("payload.bin", program)))),
                "a 7z inside a zip, copied out with its bytes counted");
        assertEquals(Finding.clean(), analyzer.analyze(TestPart.of("notes.tar.gz", "application/gzip",
                compressed(GzipCompressorOutputStream::new, tar("notes.txt", text)))));
        assertEquals(Finding.clean(), analyzer.analyze(TestPart.of("notes.7z", "application/x-7z-compressed", sevenZ("notes.txt", text))));
    }

    @Test
    void aGzipBombAndARarArchiveAreKept() throws IOException {
        byte[] bomb = compressed(GzipCompressorOutputStream::new, new byte[64 << 20]);
        assertEquals(Finding.malicious("archive expands more than 100 times its size (a zip bomb)"),
                analyzer.analyze(TestPart.of("logs.gz", "application/gzip", bomb)));
        byte[] rar = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00, 0, 0, 0, 0};
        assertEquals(Finding.malicious("RAR archive invoice.rar: its contents cannot be analysed"),
                analyzer.analyze(TestPart.of("invoice.rar", "application/octet-stream", rar)));
        byte[] cut = java.util.Arrays.copyOf(sevenZ("notes.txt", "minutes".getBytes(StandardCharsets.US_ASCII)), 20);
        Finding broken = analyzer.analyze(TestPart.of("cut.7z", "application/x-7z-compressed", cut));
        assertTrue(broken.malicious() && broken.reason().startsWith("unreadable archive ("), broken.reason());
    }
}
