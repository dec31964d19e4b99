package org.portcullis.updater.pkg;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a signed update package; the manifest's {@code file} lines are computed from the files added, in their order. */
public final class PackageWriter {

    private final Map<String, Path> files = new LinkedHashMap<>();

    /** Adds {@code source} to the package as {@code path}. */
    public PackageWriter add(String path, Path source) {
        EntryNames.require(path);
        if (files.put(path, source) != null) {
            throw new PackageException("file " + path + " is added twice");
        }
        return this;
    }

    /** The manifest's file lines for what was added. */
    public List<UpdateManifest.FileEntry> entries() throws IOException {
        List<UpdateManifest.FileEntry> out = new ArrayList<>();
        for (var e : files.entrySet()) {
            out.add(new UpdateManifest.FileEntry(hash(e.getValue()), Files.size(e.getValue()), e.getKey()));
        }
        return out;
    }

    /**
     * Writes the package to {@code out} (through {@code <out>.part}, renamed at the end). The
     * manifest's file lines must be {@link #entries()}; the files must not change meanwhile.
     */
    public void write(UpdateManifest manifest, PrivateKey key, Path out) throws IOException {
        if (!manifest.files().equals(entries())) {
            throw new PackageException("the manifest's file lines do not match the files added");
        }
        byte[] bytes = manifest.toBytes();
        byte[] signature = SigningKeys.sign(key, bytes);
        Path tmp = out.toAbsolutePath().resolveSibling(out.getFileName() + ".part");
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024))) {
            o.write(UpdatePackage.MARK);
            o.writeShort(UpdatePackage.FORMAT);
            o.writeInt(bytes.length);
            o.write(bytes);
            o.writeShort(signature.length);
            o.write(signature);
            for (Path f : files.values()) {
                Files.copy(f, o);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** SHA-256 of a file, lower-case hex. */
    public static String hash(Path file) throws IOException {
        MessageDigest sha = UpdatePackage.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** SHA-256 of bytes, lower-case hex. */
    public static String hash(byte[] bytes) {
        return HexFormat.of().formatHex(UpdatePackage.sha256().digest(bytes));
    }
}
