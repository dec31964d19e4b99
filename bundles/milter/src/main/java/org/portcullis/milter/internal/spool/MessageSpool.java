package org.portcullis.milter.internal.spool;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message's raw bytes, kept in memory up to {@code memoryLimit} and in a temp file (mode
 * 0600, in the spool directory) beyond it, so a 100 MiB message costs the heap no more than a
 * small one. Readers each get their own stream over the whole message and may read at the same
 * time as each other (not while bytes are still being appended). {@link #close()} removes the
 * file; it is idempotent and must be called on every path, errors and dropped connections
 * included. Not thread-safe for appending.
 */
public final class MessageSpool implements AutoCloseable {

    static final String PREFIX = "portcullis-";
    static final String SUFFIX = ".spool";
    private static final Logger LOG = LoggerFactory.getLogger(MessageSpool.class);

    private final Path directory;
    private final int memoryLimit;
    private byte[] memory = new byte[0];
    private int memoryUsed;
    private Path file;
    private FileChannel channel;
    private long size;
    private boolean closed;

    public MessageSpool(Path directory, int memoryLimit) {
        this.directory = directory;
        this.memoryLimit = memoryLimit;
    }

    /** Appends the readable bytes of {@code chunk} without consuming them. */
    public void append(ByteBuf chunk) throws IOException {
        int length = chunk.readableBytes();
        if (fitsInMemory(length)) {
            ensureMemory(memoryUsed + length);
            chunk.getBytes(chunk.readerIndex(), memory, memoryUsed, length);
            memoryUsed += length;
        } else {
            FileChannel ch = spillToFile();
            long at = size;
            int written = 0;
            while (written < length) {
                written += chunk.getBytes(chunk.readerIndex() + written, ch, at + written, length - written);
            }
            ch.position(at + length);
        }
        size += length;
    }

    /** Appends {@code bytes}. */
    public void append(byte[] bytes) throws IOException {
        append(bytes, 0, bytes.length);
    }

    /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
    public void append(byte[] bytes, int offset, int length) throws IOException {
        if (fitsInMemory(length)) {
            ensureMemory(memoryUsed + length);
            System.arraycopy(bytes, offset, memory, memoryUsed, length);
            memoryUsed += length;
        } else {
            FileChannel ch = spillToFile();
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
        }
        size += length;
    }

    /** Appends everything {@code in} gives, chunk by chunk (never all of it on the heap). */
    public void appendAll(InputStream in) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (int n; (n = in.read(chunk)) > 0;) {
            append(chunk, 0, n);
        }
    }

    /** How many bytes the message has so far. */
    public long size() {
        return size;
    }

    /** Whether the message went to a temp file. */
    public boolean onDisk() {
        return file != null;
    }

    /** A new stream over the whole message; closing it does not affect the spool. */
    public InputStream openStream() throws IOException {
        requireOpen();
        if (file == null) {
            return new ByteArrayInputStream(memory, 0, memoryUsed);
        }
        return Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ));
    }

    /** Deletes the temp file, if any, and drops the memory. Safe to call more than once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        memory = new byte[0];
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the file is deleted below either way
        } finally {
            deleteQuietly(file);
        }
    }

    /**
     * Deletes spool files a crashed container left in {@code directory}; call it before the
     * milter accepts connections. Returns how many were removed.
     */
    public static int removeLeftovers(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            for (Path f : files) {
                if (Files.deleteIfExists(f)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    private boolean fitsInMemory(int more) {
        requireOpen();
        return file == null && (long) memoryUsed + more <= memoryLimit;
    }

    private void ensureMemory(int needed) {
        if (needed > memory.length) {
            memory = Arrays.copyOf(memory, Math.min(memoryLimit, Math.max(needed, memory.length * 2)));
        }
    }

    private FileChannel spillToFile() throws IOException {
        if (channel != null) {
            return channel;
        }
        try {
            Files.createDirectories(directory);
            file = Files.createTempFile(directory, PREFIX, SUFFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
            ByteBuffer held = ByteBuffer.wrap(memory, 0, memoryUsed);
            while (held.hasRemaining()) {
                channel.write(held);
            }
        } catch (IOException e) {
            throw new IOException("cannot spool the message to " + directory + ": " + e.getMessage(), e);
        }
        memory = new byte[0];
        memoryUsed = 0;
        return channel;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the spool is closed");
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot delete spool file {} ({}); it is removed at the next start", path, e.getMessage());
        }
    }
}
