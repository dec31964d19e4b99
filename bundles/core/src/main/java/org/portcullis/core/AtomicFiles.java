package org.portcullis.core;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * Small files written whole or not at all: the content goes to {@code <name>.tmp} beside the
 * file, is synced, and is renamed over it, so a crash at any moment leaves the old file or the
 * new one, never a mix. State files, keys, passwords and journals all go through here.
 */
public final class AtomicFiles {

    /** What goes into the file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private AtomicFiles() {
    }

    /** Writes {@code file} with the default permissions, creating its directory if needed. */
    public static void write(Path file, Content content) throws IOException {
        write(file, content, new FileAttribute<?>[0]);
    }

    /** Writes {@code file} readable and writable by its owner only (0600) from the first byte on. */
    public static void writePrivate(Path file, Content content) throws IOException {
        write(file, content, OWNER_ONLY);
    }

    private static void write(Path file, Content content, FileAttribute<?>... attributes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        if (Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(tmp); // left by a crash; anything else squatting on the name makes the write fail
        }
        FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes);
        boolean done = false;
        try {
            try (ch) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch));
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
        syncDirectory(dir);
    }

    /**
     * Makes an existing file readable and writable by its owner only (0600): for files that hold a
     * secret but are written by someone else (Karaf's configuration files, rewritten in place by
     * its file watcher, which keeps their permissions).
     *
     * @return whether the permissions had to change
     */
    public static boolean restrictToOwner(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        var owner = PosixFilePermissions.fromString("rw-------");
        if (Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(owner)) {
            return false;
        }
        Files.setPosixFilePermissions(file, owner);
        return true;
    }

    /** Makes a rename in {@code dir} durable where the file system allows it. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be synced; the rename is atomic all the same
        }
    }
}
