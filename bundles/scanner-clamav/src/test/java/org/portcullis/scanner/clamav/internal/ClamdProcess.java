package org.portcullis.scanner.clamav.internal;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real clamd for tests, offline: its own directory, a signature database written here with
 * only our EICAR signatures, loopback TCP and a unix socket. freshclam is never run. The EICAR
 * test string is assembled at run time from two halves, so no file in the repository is itself
 * a virus-scanner test sample.
 *
 * <p>Public, and shipped in this module's test jar, for the end-to-end tests in {@code itests}.
 */
public final class ClamdProcess implements AutoCloseable {

    static final Path CLAMD = Path.of("/usr/sbin/clamd");
    /** Debian's clamav-testfiles (installed by ./run-tests): ClamAV's own test samples. */
    public static final Path TESTFILES = Path.of("/usr/share/clamav-testfiles");
    static final Path CLAM_EXE = TESTFILES.resolve("clam.exe");
    /** clamd's StreamMaxLength here. */
    public static final long STREAM_MAX = 2 * 1024 * 1024;

    public final Path dir;
    public final int port;
    private final Process process;

    private ClamdProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** The EICAR test file, assembled now from two halves. */
    public static byte[] eicar() {
        String first = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR";
        String second = "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
        return (first + second).getBytes(StandardCharsets.US_ASCII);
    }

    /** Starts clamd in {@code dir} on a free loopback port. */
    public static ClamdProcess start(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return start(dir, port);
    }

    /** Starts clamd in {@code dir} on {@code port} (again, after {@link #close()}, to bring it back). */
    public static ClamdProcess start(Path dir, int port) throws Exception {
        if (!Files.isExecutable(CLAMD)) {
            throw new IllegalStateException(CLAMD + " not found: run ./run-tests, which installs clamav-daemon");
        }
        Path db = Files.createDirectories(dir.resolve("db"));
        Files.createDirectories(dir.resolve("tmp"));
        byte[] eicar = eicar();
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(eicar));
        String hdb = md5 + ":" + eicar.length + ":Portcullis.Test.EICAR-MD5\n";
        if (Files.isRegularFile(CLAM_EXE)) {
            // ClamAV's own harmless test program, as Debian's clamav-testfiles ships it, by its hash
            byte[] exe = Files.readAllBytes(CLAM_EXE);
            hdb += HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(exe)) + ":" + exe.length + ":Portcullis.Test.ClamExe\n";
        }
        Files.writeString(db.resolve("portcullis-test.hdb"), hdb);
        Files.writeString(db.resolve("portcullis-test.ndb"), "Portcullis.Test.EICAR-Body:0:*:" + HexFormat.of().formatHex(eicar) + "\n");
        Path conf = dir.resolve("clamd.conf");
        Files.writeString(conf, String.join("\n",
                "Foreground yes",
                "DatabaseDirectory " + db,
                "OfficialDatabaseOnly no",
                "Bytecode no",
                "TCPSocket " + port,
                "TCPAddr 127.0.0.1",
                "LocalSocket " + dir.resolve("clamd.sock"),
                "LocalSocketMode 600",
                "PidFile " + dir.resolve("clamd.pid"),
                "LogFile " + dir.resolve("clamd.log"),
                "TemporaryDirectory " + dir.resolve("tmp"),
                "SelfCheck 0",
                "MaxThreads 4",
                "StreamMaxLength " + STREAM_MAX,
                "ScanMail yes",
                "ScanArchive yes",
                // report a scan stopped by a limit (MaxRecursion, MaxScanSize, …) as Heuristics.Limits.Exceeded, not OK
                "AlertExceedsMax yes",
                ""));
        Process p = new ProcessBuilder(CLAMD.toString(), "--config-file=" + conf).redirectErrorStream(true)
                .redirectOutput(dir.resolve("clamd.out").toFile()).start();
        ClamdProcess clamd = new ClamdProcess(dir, port, p);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            ClamdClient client = new ClamdClient(ClamdAddress.parse("127.0.0.1:" + port), Duration.ofSeconds(2), STREAM_MAX, 1,
                    scheduler);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                if (client.ping()) {
                    return clamd;
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("clamd exited: " + Files.readString(dir.resolve("clamd.out")));
                }
                Thread.sleep(100);
            }
            clamd.close();
            throw new IllegalStateException("clamd did not answer PING within 60 s");
        } finally {
            scheduler.shutdownNow();
        }
    }

    public String tcp() {
        return "127.0.0.1:" + port;
    }

    String unix() {
        return "unix:" + dir.resolve("clamd.sock");
    }

    /** Stops clamd and waits until it has exited. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public static void deleteQuietly(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
