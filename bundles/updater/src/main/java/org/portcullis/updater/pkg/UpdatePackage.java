package org.portcullis.updater.pkg;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An update package that has been verified (docs/UPDATE-FORMAT.md): the manifest is signed by a
 * trusted key, the files follow it in its order with exactly its sizes and SHA-256 values, and
 * nothing follows them. Every byte of the file is covered: the mark, the lengths and the
 * signature by the structure, the manifest by the signature, the files by their hashes. Files
 * are verified again as they are extracted.
 */
public final class UpdatePackage {

    static final byte[] MARK = "PCUPDATE".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 1;
    static final int MAX_MANIFEST = 4 << 20;
    static final int SIGNATURE_LENGTH = 64;

    private final Path file;
    private final UpdateManifest manifest;
    private final Map<String, Long> offsets;

    private UpdatePackage(Path file, UpdateManifest manifest, Map<String, Long> offsets) {
        this.file = file;
        this.manifest = manifest;
        this.offsets = offsets;
    }

    /** Opens and verifies {@code file} against {@code trusted}; throws {@link PackageException} saying what is wrong. */
    public static UpdatePackage open(Path file, List<PublicKey> trusted) {
        try (InputStream raw = Files.newInputStream(file)) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
            long length = Files.size(file);
            byte[] mark = in.readNBytes(MARK.length);
            if (!Arrays.equals(mark, MARK)) {
                throw new PackageException("not an update package (no PCUPDATE mark)");
            }
            int format = in.readUnsignedShort();
            if (format != FORMAT) {
                throw new PackageException("package format " + format + " is not " + FORMAT + ", the format this appliance reads");
            }
            int m = in.readInt();
            if (m < 1 || m > MAX_MANIFEST) {
                throw new PackageException("manifest length " + m + " is outside 1 … " + MAX_MANIFEST);
            }
            byte[] manifestBytes = in.readNBytes(m);
            int s = in.readUnsignedShort();
            if (manifestBytes.length < m || s != SIGNATURE_LENGTH) {
                throw new PackageException(manifestBytes.length < m ? "truncated in the manifest" : "signature length " + s + " is not " + SIGNATURE_LENGTH);
            }
            byte[] signature = in.readNBytes(s);
            if (signature.length < s) {
                throw new PackageException("truncated in the signature");
            }
            if (!SigningKeys.verifies(trusted, manifestBytes, signature)) {
                throw new PackageException("the signature does not verify with any trusted key (signed by another key, or the manifest was changed)");
            }
            UpdateManifest manifest = UpdateManifest.parse(manifestBytes);
            long offset = MARK.length + 2 + 4 + m + 2 + s;
            long expected = offset;
            try {
                for (UpdateManifest.FileEntry f : manifest.files()) {
                    expected = Math.addExact(expected, f.size());
                }
            } catch (ArithmeticException e) {
                throw new PackageException("the manifest's file sizes add up to more than a file can hold");
            }
            if (length != expected) {
                throw new PackageException(length < expected ? "truncated: " + (expected - length) + " bytes missing"
                        : (length - expected) + " bytes follow the last file");
            }
            Map<String, Long> offsets = new HashMap<>();
            for (UpdateManifest.FileEntry f : manifest.files()) {
                offsets.put(f.path(), offset);
                check(f, in, OutputStream.nullOutputStream());
                offset += f.size();
            }
            if (in.read() >= 0) {
                throw new PackageException("bytes follow the last file"); // the file grew while it was read
            }
            return new UpdatePackage(file, manifest, offsets);
        } catch (PackageException e) {
            throw new PackageException("update package " + file.getFileName() + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new PackageException("update package " + file + " does not exist");
        } catch (EOFException e) {
            throw new PackageException("update package " + file.getFileName() + ": truncated in its header");
        } catch (IOException e) {
            throw new PackageException("update package " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Copies {@code f.size()} bytes of {@code in} to {@code out}, failing unless they match {@code f}'s hash. */
    private static void check(UpdateManifest.FileEntry f, InputStream in, OutputStream out) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        long left = f.size();
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new PackageException("truncated in file " + f.path());
            }
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
            left -= n;
        }
        if (!HexFormat.of().formatHex(sha.digest()).equals(f.sha256())) {
            throw new PackageException("file " + f.path() + " does not match its SHA-256 in the manifest");
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public UpdateManifest manifest() {
        return manifest;
    }

    /**
     * Writes the package's {@code path} to {@code target} (through {@code <target>.part}, renamed
     * once complete), verifying its hash again on the way, so a package changed since it was
     * opened is caught here too.
     */
    public void extract(String path, Path target) throws IOException {
        UpdateManifest.FileEntry f = manifest.file(path);
        if (f == null) {
            throw new PackageException("the package has no file " + path);
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel outCh = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ch.position(offsets.get(path));
            OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(outCh), 64 * 1024);
            check(f, new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024), out);
            out.flush();
            outCh.force(true); // on disk before the update's journal moves past this step
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.toAbsolutePath().getParent());
    }
}
