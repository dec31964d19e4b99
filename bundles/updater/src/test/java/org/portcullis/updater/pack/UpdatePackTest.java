package org.portcullis.updater.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.PackageWriter;
import org.portcullis.updater.pkg.SigningKeys;
import org.portcullis.updater.pkg.TestKeys;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdatePackage;

/** update-pack on two small distributions laid out as the assembly lays them out. */
class UpdatePackTest {

    @TempDir
    Path dir;

    private Path from;
    private Path to;

    @BeforeEach
    void distributions() throws Exception {
        TestKeys.write(dir, "release");
        from = distribution("0.1.0", Map.of("V1__create.sql", "CREATE TABLE t (a int);"), "timeout = 5\n");
        to = distribution("0.2.0", Map.of("V1__create.sql", "CREATE TABLE t (a int);", "V2__add_b.sql", "ALTER TABLE t ADD b int;"), "timeout = 7\n");
        Files.writeString(to.resolve("etc/org.portcullis.new.cfg"), "new = yes\n");
    }

    private Path distribution(String version, Map<String, String> migrations, String setting) throws IOException {
        Path root = dir.resolve("portcullis-" + version);
        write(root.resolve("system/org/portcullis/portcullis-features/" + version + "/portcullis-features-" + version + "-features.xml"),
                "<features name='portcullis' xmlns='http://karaf.apache.org/xmlns/features/v1.6.0'>"
                        + "<feature name='portcullis-core' version='" + version + "'/><feature name='portcullis' version='" + version + "'/>"
                        + "<feature name='portcullis-scanner-clamav' version='" + version + "'/></features>");
        Path jar = root.resolve("system/org/portcullis/lists/" + version + "/lists-" + version + ".jar");
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write(("Bundle-Version: " + version + "\n").getBytes(StandardCharsets.UTF_8));
            for (var m : new TreeMap<>(migrations).entrySet()) {
                z.putNextEntry(new ZipEntry("db/migration/" + m.getKey()));
                z.write(m.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        write(root.resolve("system/org/other/netty/4.2.18/netty-4.2.18.jar"), "the same third-party bundle in both");
        write(root.resolve("etc/org.apache.karaf.features.cfg"), "featuresRepositories = mvn:org.portcullis/portcullis-features/" + version
                + "/xml/features\nfeaturesBoot = (instance, package), ssh, scr, portcullis/" + version + "\n");
        write(root.resolve("etc/org.portcullis.milter.cfg"), setting);
        write(root.resolve("etc/config.properties"), "karaf.framework = felix\n");
        write(root.resolve("lib/boot/org.apache.karaf.main.jar"), "the launcher");
        write(root.resolve("bin/karaf"), "#!/bin/sh\n");
        return root;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private String pack(String... extra) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--from", from.toString(), "--to", to.toString(),
                "--signing-key", dir.resolve("release.pem").toString(), "--out", dir.resolve("u.pcup").toString()));
        args.addAll(List.of(extra));
        return UpdatePack.run(args.toArray(String[]::new));
    }

    private UpdateManifest verified() {
        return UpdatePackage.open(dir.resolve("u.pcup"), SigningKeys.trusted(dir.resolve("release.pub.pem"))).manifest();
    }

    @Test
    void thePackageHoldsWhatChangedAndNothingElse() throws Exception {
        Path os = Files.createDirectories(dir.resolve("os"));
        Files.writeString(os.resolve("apply"), "#!/bin/sh\ndpkg -i portcullis-os-fix_1.0_all.deb\n");
        Files.setPosixFilePermissions(os.resolve("apply"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(os.resolve("portcullis-os-fix_1.0_all.deb"), "a .deb");
        Files.writeString(dir.resolve("notes.txt"), "0.2.0: lists expire\n");
        String summary = pack("--os-step", os.toString(), "--notes", dir.resolve("notes.txt").toString(), "--min-memory-mb", "2048");
        assertTrue(summary.contains("0.1.0 -> 0.2.0"), summary);

        UpdateManifest m = verified();
        assertEquals("0.1.0", m.fromVersion().toString());
        assertEquals("0.2.0", m.toVersion().toString());
        assertEquals(2048, m.minMemoryMb());
        assertEquals("mvn:org.portcullis/portcullis-features/0.2.0/xml/features", m.featureRepository());
        assertEquals(List.of("portcullis"), m.features(), "boot features defined by the Portcullis repository only");
        assertEquals(1, m.migrations().size());
        assertEquals("lists", m.migrations().get(0).artifact());
        assertEquals("V2__add_b.sql", m.migrations().get(0).script());
        assertEquals(PackageWriter.hash("ALTER TABLE t ADD b int;".getBytes(StandardCharsets.UTF_8)), m.migrations().get(0).sha256());
        assertNotNull(m.file("repository/org/portcullis/lists/0.2.0/lists-0.2.0.jar"));
        assertNotNull(m.file("repository/org/portcullis/portcullis-features/0.2.0/portcullis-features-0.2.0-features.xml"));
        assertNull(m.file("repository/org/other/netty/4.2.18/netty-4.2.18.jar"), "unchanged files stay out");
        assertNotNull(m.file("etc/org.portcullis.milter.cfg"));
        assertNotNull(m.file("etc/org.portcullis.new.cfg"));
        assertNotNull(m.file("etc/org.apache.karaf.features.cfg"));
        assertNull(m.file("etc/config.properties"));
        assertEquals("os/apply", m.osStep());
        assertEquals("", m.osUndo());
        assertNotNull(m.file("os/portcullis-os-fix_1.0_all.deb"));
        assertEquals("notes.txt", m.notes());
    }

    @Test
    void distributionsAsTarGzWork() throws Exception {
        for (Path d : List.of(from, to)) {
            Process p = new ProcessBuilder("tar", "-czf", d + ".tar.gz", "-C", dir.toString(), d.getFileName().toString()).inheritIO().start();
            assertEquals(0, p.waitFor());
        }
        from = Path.of(from + ".tar.gz");
        to = Path.of(to + ".tar.gz");
        pack();
        assertEquals("0.2.0", verified().toVersion().toString());
        Files.writeString(dir.resolve("broken.tar.gz"), "not gzip");
        from = dir.resolve("broken.tar.gz");
        assertTrue(assertThrows(PackageException.class, this::pack).getMessage().contains("is not a readable tar.gz"));
    }

    @Test
    void whatAnOnlineUpdateCannotDoIsRefusedWithThePath() throws Exception {
        write(to.resolve("lib/boot/org.apache.karaf.main.jar"), "another launcher");
        assertEquals("the distributions differ in lib/boot/org.apache.karaf.main.jar, part of the container itself, which an online update does not replace",
                assertThrows(PackageException.class, this::pack).getMessage());
        write(to.resolve("lib/boot/org.apache.karaf.main.jar"), "the launcher");
        write(to.resolve("etc/config.properties"), "karaf.framework = equinox\n");
        assertTrue(assertThrows(PackageException.class, this::pack).getMessage().contains("differ in etc/config.properties"));
        assertTrue(Files.notExists(dir.resolve("u.pcup")), "nothing written");
    }

    @Test
    void anArtifactChangedUnderTheSameNameIsRefused() throws Exception {
        write(to.resolve("system/org/other/netty/4.2.18/netty-4.2.18.jar"), "other bytes under the same version");
        assertEquals("system/org/other/netty/4.2.18/netty-4.2.18.jar differs between the distributions under the same name; "
                + "a release never changes an artifact another release has (give it a new version)",
                assertThrows(PackageException.class, this::pack).getMessage());
    }

    @Test
    void aChangedOrRemovedMigrationIsRefused() throws Exception {
        to = distribution("0.2.0", Map.of("V1__create.sql", "CREATE TABLE t (a bigint);"), "timeout = 7\n");
        assertTrue(assertThrows(PackageException.class, this::pack).getMessage()
                .contains("migration V1__create.sql of lists differs between the versions; an applied migration never changes"));
        to = distribution("0.2.0", Map.of("V2__add_b.sql", "ALTER TABLE t ADD b int;"), "timeout = 7\n");
        assertTrue(assertThrows(PackageException.class, this::pack).getMessage().contains("migration V1__create.sql of lists is gone from 0.2.0"));
    }

    @Test
    void versionsMustGoUp() throws Exception {
        Path t = to;
        to = from;
        from = t;
        assertEquals("--to is 0.1.0, not above --from 0.2.0", assertThrows(PackageException.class, this::pack).getMessage());
    }

    @Test
    void badCommandLinesAndOsSteps() throws Exception {
        assertEquals("--out is missing", assertThrows(PackageException.class,
                () -> UpdatePack.run("--from", "a", "--to", "b", "--signing-key", "k")).getMessage());
        assertEquals("unknown option '--form'", assertThrows(PackageException.class, () -> UpdatePack.run("--form", "a")).getMessage());
        assertEquals("--from is given twice", assertThrows(PackageException.class, () -> UpdatePack.run("--from", "a", "--from", "b")).getMessage());
        Path os = Files.createDirectories(dir.resolve("os"));
        Files.writeString(os.resolve("apply"), "#!/bin/sh\n"); // not executable
        assertTrue(assertThrows(PackageException.class, () -> pack("--os-step", os.toString())).getMessage().contains("has no executable 'apply'"));
        assertTrue(assertThrows(PackageException.class, () -> UpdatePack.run("--from", from.toString(), "--to", to.toString(),
                "--signing-key", dir.resolve("release.pub.pem").toString(), "--out", "x")).getMessage().contains("is not a PKCS#8 PEM private key"));
    }
}
