package org.portcullis.sandbox.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.poi.poifs.filesystem.DirectoryEntry;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;

/**
 * Office documents with a VBA module, made for tests: the VBA project (an OLE2 file with the
 * {@code VBA/dir} stream and one module, both in MS-OVBA's compressed form, written with literal
 * tokens only), as a legacy document (the project under {@code Macros}) or inside an OOXML zip.
 */
public final class TestOffice {

    private TestOffice() {
    }

    /** A Word 97 style document (OLE2) with the module {@code source}. */
    public static byte[] doc(String source) throws IOException {
        return ole2(source, true);
    }

    /** A macro-enabled OOXML document ({@code .docm}) whose {@code word/vbaProject.bin} holds the module {@code source}. */
    public static byte[] docm(String source) throws IOException {
        return docm(source, "word/vbaProject.bin");
    }

    /** The same, with the project under another name (Office finds it by its relationship, not its name). */
    public static byte[] docm(String source, String projectName) throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("[Content_Types].xml"));
            out.write(("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>").getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("word/document.xml"));
            out.write("<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry(projectName));
            out.write(ole2(source, false));
        }
        return zip.toByteArray();
    }

    /** A legacy document whose VBA project's {@code dir} stream is not what MS-OVBA says. */
    public static byte[] brokenProject() throws IOException {
        try (POIFSFileSystem fs = new POIFSFileSystem(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            DirectoryEntry vba = fs.getRoot().createDirectory("Macros").createDirectory("VBA");
            vba.createDocument("dir", new ByteArrayInputStream(new byte[] {1, 0x12, (byte) 0xB0, 0x77, 0x77, 0x77}));
            vba.createDocument("Module1", new ByteArrayInputStream(new byte[] {1}));
            fs.writeFilesystem(out);
            return out.toByteArray();
        }
    }

    private static byte[] ole2(String source, boolean legacy) throws IOException {
        ByteArrayOutputStream dir = new ByteArrayOutputStream();
        record(dir, 0x0003, new byte[] {(byte) 0xE4, 0x04}); // code page 1252
        record(dir, 0x0019, "Module1".getBytes(StandardCharsets.US_ASCII)); // module name
        record(dir, 0x001A, "Module1".getBytes(StandardCharsets.US_ASCII)); // its stream
        record(dir, 0x0032, "Module1".getBytes(StandardCharsets.UTF_16LE));
        record(dir, 0x0031, new byte[4]); // the source starts at offset 0 of the stream
        record(dir, 0x0021, new byte[0]); // a procedural module
        record(dir, 0x002B, new byte[0]); // end of the module
        record(dir, 0x0010, new byte[0]); // end of the dir stream
        try (POIFSFileSystem fs = new POIFSFileSystem(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            DirectoryEntry parent = legacy ? fs.getRoot().createDirectory("Macros") : fs.getRoot();
            if (legacy) {
                fs.getRoot().createDocument("WordDocument", new ByteArrayInputStream(new byte[512]));
            }
            DirectoryEntry vba = parent.createDirectory("VBA");
            vba.createDocument("dir", new ByteArrayInputStream(compressed(dir.toByteArray())));
            vba.createDocument("Module1", new ByteArrayInputStream(compressed(source.getBytes(StandardCharsets.ISO_8859_1))));
            fs.writeFilesystem(out);
            return out.toByteArray();
        }
    }

    /** MS-OVBA's compressed container: a signature byte, then chunks of up to 4096 bytes, each of literal tokens only. */
    private static byte[] compressed(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        for (int start = 0; start < data.length; start += 4096) {
            int end = Math.min(data.length, start + 4096);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            for (int i = start; i < end; i += 8) {
                chunk.write(0); // eight literal bytes follow
                chunk.write(data, i, Math.min(8, end - i));
            }
            int header = 0xB000 | (chunk.size() - 1); // compressed, signature 0b011, size - 3 (with its own 2 bytes)
            out.write(header & 0xFF);
            out.write(header >> 8);
            out.writeBytes(chunk.toByteArray());
        }
        return out.toByteArray();
    }

    private static void record(ByteArrayOutputStream dir, int id, byte[] data) {
        dir.write(id & 0xFF);
        dir.write(id >> 8);
        for (int i = 0; i < 4; i++) {
            dir.write(data.length >> (8 * i));
        }
        dir.writeBytes(data);
    }
}
