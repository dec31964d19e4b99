package org.portcullis.milter.internal.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageSpoolTest {

    private static final int LIMIT = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void smallMessageStaysInMemory() throws IOException {
        try (MessageSpool spool = new MessageSpool(dir, LIMIT)) {
            spool.append("Subject: hi\r\n\r\n".getBytes());
            spool.append(Unpooled.wrappedBuffer("body\r\n".getBytes()));
            assertFalse(spool.onDisk());
            assertEquals(21, spool.size());
            assertEquals("Subject: hi\r\n\r\nbody\r\n", new String(read(spool)));
            assertEquals(0, files().count());
        }
    }

    @Test
    void largeMessageGoesToAPrivateFileInOrderAndTheFileIsRemovedOnClose() throws IOException {
        byte[] expected = randomBytes(3 * LIMIT + 12345);
        Path file;
        try (MessageSpool spool = new MessageSpool(dir, LIMIT)) {
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            int at = 0;
            boolean asByteBuf = false;
            while (at < expected.length) {
                int n = Math.min(65535, expected.length - at);
                byte[] chunk = java.util.Arrays.copyOfRange(expected, at, at + n);
                if (asByteBuf) {
                    ByteBuf buf = Unpooled.wrappedBuffer(chunk);
                    spool.append(buf);
                    assertEquals(n, buf.readableBytes(), "append must not consume the chunk");
                } else {
                    spool.append(chunk);
                }
                sent.write(chunk);
                asByteBuf = !asByteBuf;
                at += n;
            }
            assertTrue(spool.onDisk());
            assertEquals(expected.length, spool.size());
            file = files().findFirst().orElseThrow();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(expected.length, Files.size(file));
            // two scanners read it at the same time, each from the start
            try (InputStream a = spool.openStream(); InputStream b = spool.openStream()) {
                assertEquals(expected[0], (byte) a.read());
                assertArrayEquals(expected, b.readAllBytes());
                byte[] rest = a.readAllBytes();
                assertEquals(expected.length - 1, rest.length);
            }
        }
        assertFalse(Files.exists(file), "close must delete the spool file");
    }

    @Test
    void spillingKeepsTheBytesThatWereInMemory() throws IOException {
        try (MessageSpool spool = new MessageSpool(dir, 10)) {
            spool.append("0123456789".getBytes());
            assertFalse(spool.onDisk());
            spool.append(Unpooled.wrappedBuffer("abc".getBytes()));
            assertTrue(spool.onDisk());
            spool.append("def".getBytes());
            assertEquals("0123456789abcdef", new String(read(spool)));
        }
    }

    @Test
    void closeIsIdempotentAndTheSpoolIsUnusableAfterwards() throws IOException {
        MessageSpool spool = new MessageSpool(dir, 4);
        spool.append("more than four".getBytes());
        spool.close();
        spool.close();
        assertEquals(0, files().count());
        assertThrows(IllegalStateException.class, () -> spool.append("x".getBytes()));
        assertThrows(IllegalStateException.class, spool::openStream);
    }

    @Test
    void anUnwritableSpoolDirectoryIsNamedInTheError() throws IOException {
        Path notADirectory = dir.resolve("file");
        Files.writeString(notADirectory, "x");
        try (MessageSpool spool = new MessageSpool(notADirectory, 4)) {
            IOException e = assertThrows(IOException.class, () -> spool.append("more than four".getBytes()));
            assertTrue(e.getMessage().contains(notADirectory.toString()), e.getMessage());
        }
    }

    @Test
    void leftoversFromACrashAreRemovedAndOtherFilesKept() throws IOException {
        Files.writeString(dir.resolve(MessageSpool.PREFIX + "123" + MessageSpool.SUFFIX), "old");
        Files.writeString(dir.resolve(MessageSpool.PREFIX + "456" + MessageSpool.SUFFIX), "old");
        Files.writeString(dir.resolve("keep.txt"), "mine");
        assertEquals(2, MessageSpool.removeLeftovers(dir));
        assertEquals(1, files().count());
        assertEquals(0, MessageSpool.removeLeftovers(dir.resolve("missing")));
    }

    private static byte[] read(MessageSpool spool) throws IOException {
        try (InputStream in = spool.openStream()) {
            return in.readAllBytes();
        }
    }

    private Stream<Path> files() throws IOException {
        return Files.list(dir).toList().stream();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }
}
