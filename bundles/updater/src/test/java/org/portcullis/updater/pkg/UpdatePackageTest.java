package org.portcullis.updater.pkg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdatePackageTest {

    @TempDir
    Path dir;

    private List<PublicKey> trusted;
    private Path pkg;
    private byte[] jar;

    @BeforeEach
    void writePackage() throws Exception {
        TestKeys.write(dir, "release");
        trusted = SigningKeys.trusted(dir.resolve("release.pub.pem"));
        jar = new byte[700];
        new Random(7).nextBytes(jar);
        Files.write(dir.resolve("core.jar"), jar);
        Files.writeString(dir.resolve("x.cfg"), "a = 1\n");
        Files.writeString(dir.resolve("notes.txt"), "Portcullis 0.2.0\n");
        Files.writeString(dir.resolve("apply"), "#!/bin/sh\nexit 0\n");
        pkg = dir.resolve("u.pcup");
        PackageWriter w = new PackageWriter().add("repository/org/portcullis/core/0.2.0/core-0.2.0.jar", dir.resolve("core.jar"))
                .add("etc/x.cfg", dir.resolve("x.cfg")).add("os/apply", dir.resolve("apply")).add("notes.txt", dir.resolve("notes.txt"));
        w.write(manifest(w.entries()), SigningKeys.signing(dir.resolve("release.pem")), pkg);
    }

    private static UpdateManifest manifest(List<UpdateManifest.FileEntry> files) {
        return new UpdateManifest(ProductVersion.parse("0.1.0"), ProductVersion.parse("0.2.0"), Instant.parse("2026-12-01T15:00:00Z"), 4096,
                "mvn:org.portcullis/portcullis-features/0.2.0/xml/features", List.of("portcullis"),
                List.of(new UpdateManifest.MigrationEntry("lists", "V4__add_expiry.sql", "ab".repeat(32))), "os/apply", "", "notes.txt", files);
    }

    @Test
    void aPackageVerifiesAndItsFilesExtractAsWritten() throws Exception {
        UpdatePackage p = UpdatePackage.open(pkg, trusted);
        assertEquals("0.2.0", p.manifest().toVersion().toString());
        assertEquals(List.of("portcullis"), p.manifest().features());
        assertEquals("V4__add_expiry.sql", p.manifest().migrations().get(0).script());
        Path out = dir.resolve("out/core.jar");
        p.extract("repository/org/portcullis/core/0.2.0/core-0.2.0.jar", out);
        assertArrayEquals(jar, Files.readAllBytes(out));
        p.extract("etc/x.cfg", dir.resolve("out/x.cfg"));
        assertEquals("a = 1\n", Files.readString(dir.resolve("out/x.cfg")));
    }

    @Test
    void everyChangedByteIsRefused() throws Exception {
        byte[] good = Files.readAllBytes(pkg);
        Path bad = dir.resolve("bad.pcup");
        for (int i = 0; i < good.length; i++) {
            for (int bit : new int[] {0, 7}) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                Files.write(bad, b);
                int at = i;
                PackageException e = assertThrows(PackageException.class, () -> UpdatePackage.open(bad, trusted), () -> "byte " + at + " bit " + bit);
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }

    @Test
    void everyTruncationAndAnyAppendedByteIsRefused() throws Exception {
        byte[] good = Files.readAllBytes(pkg);
        Path bad = dir.resolve("bad.pcup");
        for (int n = 0; n < good.length; n++) {
            Files.write(bad, Arrays.copyOf(good, n));
            int at = n;
            assertThrows(PackageException.class, () -> UpdatePackage.open(bad, trusted), () -> "cut at " + at);
        }
        Files.write(bad, Arrays.copyOf(good, good.length - 100));
        assertTrue(assertThrows(PackageException.class, () -> UpdatePackage.open(bad, trusted)).getMessage().endsWith("truncated: 100 bytes missing"));
        Files.write(bad, Arrays.copyOf(good, good.length + 1));
        assertTrue(assertThrows(PackageException.class, () -> UpdatePackage.open(bad, trusted)).getMessage().endsWith("1 bytes follow the last file"));
    }

    @Test
    void onlyATrustedKeyVerifies() throws Exception {
        TestKeys.write(dir, "other");
        PackageException e = assertThrows(PackageException.class, () -> UpdatePackage.open(pkg, SigningKeys.trusted(dir.resolve("other.pub.pem"))));
        assertTrue(e.getMessage().contains("does not verify with any trusted key"), e.getMessage());
        // several trusted keys: one of them is enough
        Files.writeString(dir.resolve("both.pem"), Files.readString(dir.resolve("other.pub.pem")) + Files.readString(dir.resolve("release.pub.pem")));
        assertEquals(2, SigningKeys.trusted(dir.resolve("both.pem")).size());
        UpdatePackage.open(pkg, SigningKeys.trusted(dir.resolve("both.pem")));
    }

    @Test
    void aPrivateKeyOrNothingInTheTrustedFileIsRefused() throws Exception {
        PackageException e = assertThrows(PackageException.class, () -> SigningKeys.trusted(dir.resolve("release.pem")));
        assertTrue(e.getMessage().contains("a private key never belongs on the appliance"), e.getMessage());
        Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        assertTrue(assertThrows(PackageException.class, () -> SigningKeys.trusted(dir.resolve("empty.pem"))).getMessage().contains("holds no PEM public key"));
        assertTrue(assertThrows(PackageException.class, () -> SigningKeys.trusted(dir.resolve("missing.pem"))).getMessage().contains("does not exist"));
        Files.writeString(dir.resolve("rsa.pem"), TestKeys.pem("PUBLIC KEY", new byte[] {48, 3, 2, 1, 0}));
        assertTrue(assertThrows(PackageException.class, () -> SigningKeys.trusted(dir.resolve("rsa.pem"))).getMessage().contains("not an Ed25519 public key"));
    }

    @Test
    void aFileChangedAfterOpeningIsCaughtAtExtraction() throws Exception {
        UpdatePackage p = UpdatePackage.open(pkg, trusted);
        byte[] b = Files.readAllBytes(pkg);
        b[b.length - 5] ^= 1; // inside notes.txt, the last file (17 bytes)
        Files.write(pkg, b);
        Path out = dir.resolve("out/notes.txt");
        PackageException e = assertThrows(PackageException.class, () -> p.extract("notes.txt", out));
        assertTrue(e.getMessage().contains("notes.txt does not match its SHA-256"), e.getMessage());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("out/notes.txt.part")));
    }

    @Test
    void notAPackage() throws Exception {
        Files.writeString(dir.resolve("x.tar.gz"), "hello, this is not an update");
        assertTrue(assertThrows(PackageException.class, () -> UpdatePackage.open(dir.resolve("x.tar.gz"), trusted)).getMessage().contains("no PCUPDATE mark"));
        assertTrue(assertThrows(PackageException.class, () -> UpdatePackage.open(dir.resolve("none.pcup"), trusted)).getMessage().contains("does not exist"));
    }

    /** Keys made by OpenSSL, as the format promises: the private key signs here, the public key verifies here. */
    @Test
    void keysWrittenByOpensslWork() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is installed by run-tests");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", dir.resolve("ossl.pem").toString());
        run("openssl", "pkey", "-in", dir.resolve("ossl.pem").toString(), "-pubout", "-out", dir.resolve("ossl.pub.pem").toString());
        PackageWriter w = new PackageWriter().add("notes.txt", dir.resolve("notes.txt"));
        Path p = dir.resolve("ossl.pcup");
        w.write(new UpdateManifest(ProductVersion.parse("0.1.0"), ProductVersion.parse("0.1.1"), Instant.now(), 0,
                "mvn:org.portcullis/portcullis-features/0.1.1/xml/features", List.of("portcullis"), List.of(), "", "", "notes.txt",
                w.entries()), SigningKeys.signing(dir.resolve("ossl.pem")), p);
        assertEquals("0.1.1", UpdatePackage.open(p, SigningKeys.trusted(dir.resolve("ossl.pub.pem"))).manifest().toVersion().toString());
        // and OpenSSL verifies our signature of the manifest bytes
        byte[] all = Files.readAllBytes(p);
        int m = ((all[10] & 0xff) << 24) | ((all[11] & 0xff) << 16) | ((all[12] & 0xff) << 8) | (all[13] & 0xff);
        Files.write(dir.resolve("manifest"), Arrays.copyOfRange(all, 14, 14 + m));
        Files.write(dir.resolve("manifest.sig"), Arrays.copyOfRange(all, 14 + m + 2, 14 + m + 2 + 64));
        String out = run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", dir.resolve("ossl.pub.pem").toString(), "-rawin",
                "-in", dir.resolve("manifest").toString(), "-sigfile", dir.resolve("manifest.sig").toString());
        assertTrue(out.contains("Signature Verified Successfully"), out);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
