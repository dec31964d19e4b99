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
    private boolean clusterTurn;
    private OptionalLong memory = OptionalLong.of(8192);
    private long usable = 10L << 30;
    private OptionalLong database = OptionalLong.of(50L << 20);
    private java.util.Optional<OsStep.Launcher> launcher = java.util.Optional.of(OsStep.Launcher.DETACHED);
    private List<org.portcullis.updater.spi.ControlledService> controlled = List.of();
    private java.util.Optional<MailQueue> queue = java.util.Optional.empty();
    private org.portcullis.updater.spi.ClusterNodes nodes;

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

            @Override
            public java.util.Optional<org.portcullis.updater.spi.ClusterNodes> cluster() {
                return java.util.Optional.ofNullable(nodes);
            }
        };
        return new Prechecks(machine, Prechecks.keysIn(dir.resolve("release.pub.pem")), memoryOverride, 256, launcher, () -> controlled, queue).run(pkg, false,
                clusterTurn);
    }

    private static Check named(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aGoodPackageOnAGoodMachinePassesEveryCheck() {
        List<Check> checks = run(-1);
        checks.forEach(c -> assertTrue(c.passed(), c.line()));
        assertEquals(List.of("package", "version", "memory", "disk", "cluster", "os-step", "services", "queues"), checks.stream().map(Check::name).toList());
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
    void aPackageWithAnOsStepNeedsAWayToRunItOutsideTheContainer() throws Exception {
        Files.writeString(dir.resolve("apply"), "#!/bin/sh\ndpkg -i fix.deb\n");
        PackageWriter w = new PackageWriter().add("os/apply", dir.resolve("apply"));
        w.write(new UpdateManifest(ProductVersion.parse("0.1.0"), ProductVersion.parse("0.2.0"), Instant.now(), 0,
                "mvn:org.portcullis/portcullis-features/0.2.0/xml/features", List.of("portcullis"), List.of(), "os/apply", "", "", w.entries()),
                SigningKeys.signing(dir.resolve("release.pem")), pkg);
        assertEquals("PASS os-step    os/apply runs detached by setsid; the package has no undo step, so a rollback after it ran leaves its changes",
                named(run(-1), "os-step").line());
        launcher = java.util.Optional.of(OsStep.Launcher.SYSTEMD);
        assertTrue(named(run(-1), "os-step").reason().startsWith("os/apply runs as a transient systemd unit"));
        launcher = java.util.Optional.empty();
        assertEquals("FAIL os-step    the package has an OS step (os/apply), and this machine has neither systemd as PID 1 nor setsid to run it"
                + " outside the container", named(run(-1), "os-step").line());
    }

    private static org.portcullis.updater.spi.ControlledService service(String name, int order, boolean answers) {
        return new org.portcullis.updater.spi.ControlledService() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public void stop() {
            }

            @Override
            public void start() {
            }

            @Override
            public boolean running() throws Exception {
                if (!answers) {
                    throw new java.io.IOException("postfix -c /etc/postfix status exited 1: fatal: no main.cf");
                }
                return true;
            }
        };
    }

    @Test
    void everyServiceToStopMustAnswerAndBeNamedOnce() {
        assertEquals("PASS services   none to stop and start (org.portcullis.updater.service configurations)", named(run(-1), "services").line());
        controlled = List.of(service("postfix", 20, true), service("clamav", 30, true));
        assertEquals("PASS services   stopped in this order, started in reverse: postfix (running), clamav (running)", named(run(-1), "services").line());
        controlled = List.of(service("postfix", 20, false), service("clamav", 30, true), service("clamav", 40, true));
        assertEquals("FAIL services   service postfix: its status does not answer: postfix -c /etc/postfix status exited 1: fatal: no main.cf;"
                + " two services are named clamav", named(run(-1), "services").line());
    }

    @Test
    void aServiceConfigurationThatCannotWorkIsNamed() {
        List<String> none = List.of();
        assertEquals("", ConfiguredService.problem("postfix", "command", ConfiguredService.Kind.COMMAND, List.of("postfix", "stop"),
                List.of("postfix", "start"), none));
        assertEquals("service postfix: kind command (systemd is not PID 1 here) needs stop.command and start.command",
                ConfiguredService.problem("postfix", "auto", ConfiguredService.Kind.COMMAND, none, List.of("postfix", "start"), none));
        assertEquals("service milter: kind component needs components", ConfiguredService.problem("milter", "component",
                ConfiguredService.Kind.COMPONENT, none, none, none));
        assertEquals("service clamav: kind 'upstart' is none of auto, systemd, command, component",
                ConfiguredService.problem("clamav", "upstart", null, none, none, none));
        assertEquals("service 'two words': the name must be 1 to 64 letters, digits, '.', '_' or '-'",
                ConfiguredService.problem("two words", "systemd", ConfiguredService.Kind.SYSTEMD, none, none, none));
    }

    /** A stand-in for postqueue -j: a script that prints {@code output} and exits with {@code exit}. */
    private MailQueue postqueue(String output, int exit) throws IOException {
        Path script = dir.resolve("postqueue-" + System.nanoTime());
        Files.writeString(script, "#!/bin/sh\ncat <<'END'\n" + output + "END\n" + (exit == 0 ? "" : "echo 'postqueue: fatal: Queue report unavailable - mail system is down' >&2\n") + "exit " + exit + "\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return MailQueue.configured(script.toString(), 30).orElseThrow();
    }

    @Test
    void postfixsQueuesAreReadAndWhatIsInFlightIsDrainedFirst() throws Exception {
        assertTrue(named(run(-1), "queues").passed());
        queue = java.util.Optional.of(postqueue("", 0));
        assertEquals("PASS queues     Postfix's incoming and active queues are empty", named(run(-1), "queues").line());
        queue = java.util.Optional.of(postqueue("{\"queue_name\": \"active\", \"queue_id\": \"4Fz\"}\n{\"queue_name\": \"deferred\", \"queue_id\": \"5Ab\"}\n"
                + "{\"queue_name\": \"incoming\", \"queue_id\": \"6Cd\"}\n", 0));
        assertEquals("PASS queues     1 incoming, 1 active (1 deferred or held wait anyway): update:apply switches maintenance on and waits up to 30 s"
                + " for them to drain, else it stops before anything else", named(run(-1), "queues").line());
        queue = java.util.Optional.of(postqueue("", 69));
        assertTrue(named(run(-1), "queues").line().matches("FAIL queues     Postfix's queues cannot be read: .*postqueue-[0-9]+ exited 69: "
                + "postqueue: fatal: Queue report unavailable - mail system is down"), named(run(-1), "queues").line());
        queue = java.util.Optional.of(postqueue("mail system is down\n", 0));
        assertTrue(named(run(-1), "queues").reason().contains("printed a line that is no queue entry: mail system is down"));
        assertTrue(MailQueue.configured("", 30).isEmpty());
    }

    @Test
    void everyNodeOfAClusterMustRunTheFromVersion() {
        assertEquals("PASS cluster    single node: no cluster bundle, no other node to match", named(run(-1), "cluster").line());
        nodes = () -> java.util.Map.of("mx1", "0.1.0", "mx2", "0.1.0");
        assertEquals("PASS cluster    2 nodes, all on 0.1.0: mx1, mx2", named(run(-1), "cluster").line());
        nodes = () -> java.util.Map.of("mx1", "0.1.0", "mx2", "0.0.9", "mx3", "0.2.0");
        assertEquals("FAIL cluster    every node must run 0.1.0: mx2 runs 0.0.9, mx3 runs 0.2.0", named(run(-1), "cluster").line());
        nodes = () -> {
            throw new java.sql.SQLException("the database does not answer");
        };
        assertEquals("FAIL cluster    the cluster's node versions cannot be read: the database does not answer", named(run(-1), "cluster").line());
    }

    @Test
    void onItsTurnInAClusterUpdateANodeAcceptsNodesOnTheToVersionOnly() {
        clusterTurn = true;
        nodes = () -> java.util.Map.of("mx1", "0.1.0", "mx2", "0.2.0", "mx3", "0.2.0");
        assertEquals("PASS cluster    3 nodes, this node's turn in a cluster update: 2 on 0.2.0, 1 on 0.1.0", named(run(-1), "cluster").line());
        nodes = () -> java.util.Map.of("mx1", "0.1.0", "mx2", "0.2.0", "mx3", "0.0.9");
        assertEquals("FAIL cluster    every node must run 0.1.0 or 0.2.0: mx3 runs 0.0.9", named(run(-1), "cluster").line());
        clusterTurn = false;
        nodes = () -> java.util.Map.of("mx1", "0.1.0", "mx2", "0.2.0");
        assertEquals("FAIL cluster    every node must run 0.1.0: mx2 runs 0.2.0", named(run(-1), "cluster").line(),
                "a plain update still wants every node on the from-version");
    }

    @Test
    void memTotalIsReadFromProcMeminfo() {
        assertEquals(OptionalLong.of(24040), Prechecks.memTotalMb(List.of("MemTotal:       24617708 kB", "MemFree:  1 kB")));
        assertEquals(OptionalLong.empty(), Prechecks.memTotalMb(List.of("MemFree:  1 kB")));
        assertEquals(OptionalLong.empty(), Prechecks.memTotalMb(List.of("MemTotal: lots")));
    }
}
