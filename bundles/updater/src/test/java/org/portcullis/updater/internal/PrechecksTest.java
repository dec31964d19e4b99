package org.portcullis.updater.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.updater.Check;
import org.portcullis.updater.pkg.PackageWriter;
import org.portcullis.updater.pkg.ProductVersion;
import org.portcullis.updater.pkg.SigningKeys;
import org.portcullis.updater.pkg.TestKeys;
import org.portcullis.updater.pkg.UpdateManifest;

class PrechecksTest {

    @TempDir
    Path dir;

    private Path pkg;
    private String running = "0.1.0";
    private OptionalLong memory = OptionalLong.of(8192);
    private long usable = 10L << 30;
    private OptionalLong database = OptionalLong.of(50L << 20);

    @BeforeEach
    void aPackage() throws Exception {
        TestKeys.write(dir, "release");
        Files.write(dir.resolve("core.jar"), new byte[3 << 20]);
        PackageWriter w = new PackageWriter().add("repository/org/portcullis/core/0.2.0/core-0.2.0.jar", dir.resolve("core.jar"));
        pkg = dir.resolve("portcullis-update-0.1.0-0.2.0.pcup");
        w.write(new UpdateManifest(ProductVersion.parse("0.1.0"), ProductVersion.parse("0.2.0"), Instant.now(), 6144,
                "mvn:org.portcullis/portcullis-features/0.2.0/xml/features", List.of("portcullis"), List.of(), "", "", "", w.entries()),
                SigningKeys.signing(dir.resolve("release.pem")), pkg);
    }

    private List<Check> run(long memoryOverride) {
        Prechecks.Machine machine = new Prechecks.Machine() {
            @Override
            public String runningVersion() {
                return running;
            }

            @Override
            public OptionalLong memoryMb() {
                return memory;
            }

            @Override
            public long usableBytes(Path d) throws IOException {
                return usable;
            }

            @Override
            public OptionalLong databaseBytes() {
                return database;
            }

            @Override
            public Path home() {
                return dir;
            }
        };
        return new Prechecks(machine, Prechecks.keysIn(dir.resolve("release.pub.pem")), memoryOverride, 256).run(pkg, false);
    }

    private static Check named(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aGoodPackageOnAGoodMachinePassesEveryCheck() {
        List<Check> checks = run(-1);
        checks.forEach(c -> assertTrue(c.passed(), c.line()));
        assertEquals(List.of("package", "version", "memory", "disk", "cluster", "os-step"), checks.stream().map(Check::name).toList());
        assertEquals("PASS memory     8192 MiB, at least the 6144 MiB the package asks", named(checks, "memory").line());
        assertEquals("PASS disk       10240 MiB free, the update needs 313 MiB (3 MiB unpacked + 4 MiB package kept + 50 MiB backup + 256 MiB reserve)",
                named(checks, "disk").line());
    }

    @Test
    void theRunningVersionMustBeTheFromVersion() {
        running = "0.0.9";
        assertEquals("FAIL version    the package updates 0.1.0 to 0.2.0; this appliance runs 0.0.9 (one package moves exactly one step)",
                named(run(-1), "version").line());
        running = "0.2.0";
        assertEquals("FAIL version    this appliance already runs 0.2.0, not below 0.2.0", named(run(-1), "version").line());
    }

    @Test
    void tooLittleMemoryOrDiskFails() {
        memory = OptionalLong.of(4000);
        assertEquals("FAIL memory     4000 MiB, the package asks at least 6144 MiB", named(run(-1), "memory").line());
        assertTrue(named(run(2048), "memory").passed(), "memory.min.mb replaces what the package asks");
        memory = OptionalLong.empty();
        assertFalse(named(run(-1), "memory").passed());
        usable = 200L << 20;
        database = OptionalLong.empty();
        assertEquals("FAIL disk       200 MiB free, the update needs 263 MiB (3 MiB unpacked + 4 MiB package kept + backup (database size unknown) + 256 MiB reserve)",
                named(run(-1), "disk").line());
    }

    @Test
    void aPackageThatDoesNotVerifyFailsAndItsVersionIsUnknown() throws Exception {
        byte[] b = Files.readAllBytes(pkg);
        b[b.length - 1] ^= 1;
        Files.write(pkg, b);
        List<Check> checks = run(-1);
        assertEquals("FAIL package    update package portcullis-update-0.1.0-0.2.0.pcup: file repository/org/portcullis/core/0.2.0/core-0.2.0.jar"
                + " does not match its SHA-256 in the manifest", named(checks, "package").line());
        assertEquals("FAIL version    running 0.1.0; the package's versions are unknown until it verifies", named(checks, "version").line());
        Files.delete(dir.resolve("release.pub.pem"));
        assertTrue(named(run(-1), "package").reason().contains("trusted keys file " + dir.resolve("release.pub.pem") + " does not exist"));
    }

    @Test
    void aPackageWithAnOsStepIsRefusedWhileTheUpdaterCannotRunOne() throws Exception {
        Files.writeString(dir.resolve("apply"), "#!/bin/sh\ndpkg -i fix.deb\n");
        PackageWriter w = new PackageWriter().add("os/apply", dir.resolve("apply"));
        w.write(new UpdateManifest(ProductVersion.parse("0.1.0"), ProductVersion.parse("0.2.0"), Instant.now(), 0,
                "mvn:org.portcullis/portcullis-features/0.2.0/xml/features", List.of("portcullis"), List.of(), "os/apply", "", "", w.entries()),
                SigningKeys.signing(dir.resolve("release.pem")), pkg);
        assertEquals("FAIL os-step    the package has an OS step (os/apply), which this version of the updater cannot run yet",
                named(run(-1), "os-step").line());
    }

    @Test
    void memTotalIsReadFromProcMeminfo() {
        assertEquals(OptionalLong.of(24040), Prechecks.memTotalMb(List.of("MemTotal:       24617708 kB", "MemFree:  1 kB")));
        assertEquals(OptionalLong.empty(), Prechecks.memTotalMb(List.of("MemFree:  1 kB")));
        assertEquals(OptionalLong.empty(), Prechecks.memTotalMb(List.of("MemTotal: lots")));
    }
}
