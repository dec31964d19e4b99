package org.portcullis.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * The distribution as an admin runs it: unpacked from the tar.gz, started with
 * {@code bin/portcullis server}, driven over SSH with the admin account, stopped, killed.
 */
final class Distribution implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(120);

    final Path home;
    final int sshPort;
    final int milterPort;
    final int httpPort;
    final int httpsPort;
    private Process process;
    private int runs;

    private Distribution(Path home, int sshPort, int milterPort, int httpPort, int httpsPort) {
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.home = home;
        this.sshPort = sshPort;
        this.milterPort = milterPort;
    }

    /** Unpacks the distribution under {@code parent} and gives it free ports. */
    static Distribution unpack(Path parent) throws IOException, InterruptedException {
        Files.createDirectories(parent);
        Path tarball = Paths.get(System.getProperty("portcullis.distribution"));
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", parent.toString())
                .redirectErrorStream(true).start();
        if (tar.waitFor() != 0) {
            throw new IOException("tar failed: " + new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        Path home = parent.resolve("portcullis-" + System.getProperty("portcullis.version"));
        int ssh = freePort();
        setProperty(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", Integer.toString(ssh));
        setProperty(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort", Integer.toString(freePort()));
        setProperty(home.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort", Integer.toString(freePort()));
        Files.writeString(home.resolve("etc/org.portcullis.storage.cfg"), "embedded.port = " + freePort() + "\n");
        int milter = freePort();
        Files.writeString(home.resolve("etc/org.portcullis.milter.cfg"), "port = " + milter + "\n");
        int http = freePort();
        int https = freePort();
        Files.writeString(home.resolve("etc/org.ops4j.pax.web.cfg"), String.join("\n", "org.osgi.service.http.enabled = true",
                "org.osgi.service.http.port = " + http, "org.osgi.service.http.port.secure = " + https,
                "org.osgi.service.http.secure.enabled = false", "javax.servlet.context.tempdir = ${karaf.data}/pax-web/tmp", ""));
        return new Distribution(home, ssh, milter, http, https);
    }

    /** Starts {@code bin/portcullis server}; its console output goes to {@code console-N.log}. */
    void start() throws IOException {
        start(java.util.Map.of());
    }

    /** Starts it with these environment variables added (for example {@code JAVA_MAX_MEM}). */
    void start(java.util.Map<String, String> environment) throws IOException {
        runs++;
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/portcullis").toString(), "server")
                .directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(consoleLog().toFile());
        pb.environment().putAll(environment);
        process = pb.start();
    }

    /** The container's JVM (the start script's child). */
    ProcessHandle jvm() {
        return process.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst()
                .orElseThrow(() -> new AssertionError("no JVM under the start script"));
    }

    /** File descriptors the JVM holds open now. */
    long openFiles() throws IOException {
        try (var fds = Files.list(Paths.get("/proc", Long.toString(jvm().pid()), "fd"))) {
            return fds.count();
        }
    }

    /** Heap in use right after a full collection, in bytes, as the JVM reports it ({@code jcmd}). */
    long heapUsedAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new AssertionError("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(jvm().pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    Path consoleLog() {
        return home.resolve("console-" + runs + ".log");
    }

    String console() throws IOException {
        return Files.readString(consoleLog());
    }

    Process process() {
        return process;
    }

    /**
     * SIGKILL to the container's JVM and to the start script that waits for it, as a power cut
     * or the OOM killer would do it; the JVM is the script's child, so killing the script alone
     * would leave the container running. PostgreSQL, a separate process, is left to the next start.
     */
    void kill9() throws InterruptedException {
        List<ProcessHandle> jvms = process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).collect(Collectors.toList());
        if (jvms.isEmpty()) {
            throw new AssertionError("no JVM under the start script");
        }
        for (ProcessHandle jvm : jvms) {
            jvm.destroyForcibly();
            jvm.onExit().join();
        }
        process.destroyForcibly().waitFor();
    }

    /** Waits until the file contains {@code text}; returns it. */
    String awaitFileContaining(Path file, String text) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (Files.isRegularFile(file) && Files.readString(file).contains(text)) {
                return Files.readString(file);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in " + file + " within " + DEADLINE);
    }

    /** Waits until the file exists and is not empty. */
    String awaitFile(Path file) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (Files.isRegularFile(file) && Files.size(file) > 0) {
                return Files.readString(file);
            }
            if (!process.isAlive()) {
                throw new AssertionError("Portcullis exited with " + process.exitValue() + ":\n" + console());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + file + " within " + DEADLINE + ":\n" + console());
    }

    /** An HTTPS client trusting exactly the certificate the distribution generated at first boot, returned once the API answers. */
    HttpClient https() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(tls()).build();
        URI openapi = URI.create("https://127.0.0.1:" + httpsPort + "/api/v1/openapi.json");
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            try {
                if (client.send(HttpRequest.newBuilder(openapi).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return client;
                }
            } catch (IOException notYet) {
                // the HTTP server is still starting
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the API never answered:\n" + console());
            }
            Thread.sleep(300);
        }
    }

    /** TLS trusting exactly the certificate the distribution generated at first boot. */
    SSLContext tls() throws Exception {
        String storePassword = awaitFile(home.resolve("data/portcullis/tls/keystore.password")).strip();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(home.resolve("data/portcullis/tls/keystore.p12"))) {
            ks.load(in, storePassword.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("portcullis", ks.getCertificate("portcullis"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Runs a shell command over SSH, retrying the connection until SSH is up; returns stdout and stderr. */
    String ssh(String password, String command) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            try {
                return sshOnce(password, command);
            } catch (IOException e) {
                last = e;
                Thread.sleep(300);
            }
        }
        throw new AssertionError("SSH to port " + sshPort + " failed: " + last);
    }

    String sshOnce(String password, String command) throws IOException {
        return sshAs("admin", password, command);
    }

    /** One SSH exec as {@code user}; an authentication failure throws. */
    String sshAs(String user, String password, String command) throws IOException {
        return sshFrom(null, user, password, command);
    }

    /** One SSH exec as admin that may take up to {@code wait} (an update); returns its output. */
    String sshWaiting(String password, String command, Duration wait) throws IOException {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = client.connect("admin", new java.net.InetSocketAddress("127.0.0.1", sshPort))
                    .verify(Duration.ofSeconds(10)).getSession()) {
                session.addPasswordIdentity(password);
                session.auth().verify(Duration.ofSeconds(10));
                return exec(session, command, wait);
            }
        }
    }

    /** One SSH exec as {@code user} from the loopback address {@code local} (127.0.0.x; null for any). */
    String sshFrom(String local, String user, String password, String command) throws IOException {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            java.net.SocketAddress from = local == null ? null : new java.net.InetSocketAddress(local, 0);
            try (ClientSession session = client.connect(user, new java.net.InetSocketAddress("127.0.0.1", sshPort), from)
                    .verify(Duration.ofSeconds(10)).getSession()) {
                session.addPasswordIdentity(password);
                session.auth().verify(Duration.ofSeconds(10));
                return exec(session, command);
            }
        }
    }

    /**
     * Two commands typed into one interactive SSH shell (one login), with {@code between} run
     * after the first has answered: what a session still may do after its account changed.
     * (Karaf ends an SSH session after one exec, so this uses a shell channel.) Returns the
     * output up to the end of each command.
     */
    String[] sshSession(String user, String password, String first, java.util.concurrent.Callable<?> between, String second) throws Exception {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = client.connect(user, "127.0.0.1", sshPort).verify(Duration.ofSeconds(10)).getSession()) {
                session.addPasswordIdentity(password);
                session.auth().verify(Duration.ofSeconds(10));
                try (org.apache.sshd.client.channel.ChannelShell shell = session.createShellChannel()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    shell.setOut(out);
                    shell.setErr(out);
                    shell.open().verify(Duration.ofSeconds(10));
                    java.io.OutputStream typed = shell.getInvertedIn();
                    String one = typeAndWait(typed, out, first, "ONE");
                    between.call();
                    String two = typeAndWait(typed, out, second, "TWO");
                    typed.write("logout\r".getBytes(StandardCharsets.UTF_8));
                    typed.flush();
                    return new String[] {one, two.substring(one.length())};
                }
            }
        }
    }

    /** Types {@code command}, then an echo whose output (not its typed text) marks the end; returns all output so far. */
    private static String typeAndWait(java.io.OutputStream typed, ByteArrayOutputStream out, String command, String mark) throws Exception {
        typed.write((command + "\recho \"END\" \"" + mark + "\"\r").getBytes(StandardCharsets.UTF_8));
        typed.flush();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            String now;
            synchronized (out) {
                now = out.toString(StandardCharsets.UTF_8);
            }
            if (now.contains("END " + mark)) {
                return now;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("'" + command + "' never finished; output:\n" + out.toString(StandardCharsets.UTF_8));
    }

    private static String exec(ClientSession session, String command) throws IOException {
        return exec(session, command, Duration.ofSeconds(60));
    }

    private static String exec(ClientSession session, String command, Duration wait) throws IOException {
        try (ChannelExec channel = session.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            channel.setOut(out);
            channel.setErr(out);
            channel.open().verify(Duration.ofSeconds(10));
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), wait);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Polls an SSH command until its output contains {@code expected}. */
    String awaitSsh(String password, String command, String expected) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = ssh(password, command);
            if (out.contains(expected)) {
                return out;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("'" + command + "' never showed '" + expected + "'; last output:\n" + out);
    }

    /** Waits for the container process to exit. */
    void awaitExit() throws Exception {
        if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("Portcullis did not exit within " + DEADLINE + ":\n" + console());
        }
    }

    /** Every process still running from this distribution's directory (the JVM, postgres). */
    List<ProcessHandle> leftovers() {
        String marker = home.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                        || p.info().command().map(c -> c.startsWith(marker)).orElse(false))
                .collect(Collectors.toList());
    }

    static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                .collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        for (ProcessHandle p : leftovers()) {
            p.destroyForcibly();
        }
    }

    static void setProperty(Path cfg, String key, String value) {
        try {
            List<String> lines = Files.readAllLines(cfg);
            List<String> edited = lines.stream().map(l -> l.matches("\\s*" + key + "\\s*=.*") ? key + " = " + value : l)
                    .collect(Collectors.toList());
            if (edited.equals(lines)) {
                edited.add(key + " = " + value);
            }
            Files.write(cfg, edited);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now, below Linux's ephemeral range (32768-60999): a port the kernel picked
     * for a listening socket can be taken, before the process it is meant for binds it, as the
     * source port of any outgoing connection (a node's SSH port was, once, in SharedAccountsIT).
     * Never the same one twice in this JVM.
     */
    static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20000, 32700);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException inUse) {
                // taken: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port between 20000 and 32700"));
    }
}
