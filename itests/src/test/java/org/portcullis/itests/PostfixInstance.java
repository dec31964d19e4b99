package org.portcullis.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Postfix (Debian's package) with a configuration, queue and log of its own under a
 * fresh directory in {@code /tmp}; the system's Postfix is neither used nor touched. It listens
 * on one loopback port and relays everything to one loopback port, with no DNS. Started with
 * {@code postfix -c DIR start}, stopped with {@code postfix -c DIR stop}.
 *
 * <p>Postfix's main daemon must start as root; the tests run as root (as CI does), or else every
 * Postfix command goes through {@code sudo -n}.
 */
final class PostfixInstance implements AutoCloseable {

    static final Path POSTFIX = Path.of("/usr/sbin/postfix");

    final String name;
    final Path base;
    final int smtpPort;
    private final Path etc;
    private final Path queue;
    private boolean running;

    private PostfixInstance(String name, Path base, int smtpPort) {
        this.name = name;
        this.base = base;
        this.smtpPort = smtpPort;
        this.etc = base.resolve("etc");
        this.queue = base.resolve("queue");
    }

    /**
     * Writes the configuration of an instance listening on {@code 127.0.0.1:smtpPort} that relays
     * every message to {@code [127.0.0.1]:relayPort}, through the milter at {@code milter}
     * ({@code host:port}) unless that is {@code null}. A message the next hop refuses for now is
     * retried every few seconds, as a sending MTA would.
     */
    /** How long the slow re-injection listener waits after a message's data. */
    static final int SLOW_SECONDS = 10;

    static PostfixInstance create(String name, int smtpPort, int relayPort, String milter) throws IOException, InterruptedException {
        return create(name, smtpPort, relayPort, milter, 0);
    }

    /**
     * The same, with a second listener on {@code 127.0.0.1:reinjectPort} (when not 0): where the
     * quarantine re-injects released mail, as bundles/quarantine/README.md documents it for an
     * appliance (through the milter, which lets a released copy pass once on its signed header).
     */
    static PostfixInstance create(String name, int smtpPort, int relayPort, String milter, int reinjectPort)
            throws IOException, InterruptedException {
        return create(name, smtpPort, relayPort, milter, reinjectPort, 0);
    }

    /**
     * The same, with a third listener on {@code 127.0.0.1:slowReinjectPort} (when not 0) that waits
     * {@value #SLOW_SECONDS} s after a message's data before it finishes the message (and asks the
     * milter about it) and answers: a window in which a test can stop the releasing node.
     */
    static PostfixInstance create(String name, int smtpPort, int relayPort, String milter, int reinjectPort, int slowReinjectPort)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(POSTFIX)) {
            throw new IllegalStateException(POSTFIX + " not found: run ./run-tests, which installs postfix");
        }
        Path base = Files.createTempDirectory("portcullis-postfix-" + name + "-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostfixInstance pf = new PostfixInstance(name, base, smtpPort);
        Path data = Files.createDirectories(base.resolve("data"));
        Files.createDirectories(pf.etc);
        Files.createDirectories(pf.queue);
        Files.createDirectories(base.resolve("log"));
        Files.writeString(pf.etc.resolve("main.cf"), String.join("\n",
                "# Portcullis test instance '" + name + "': loopback only, no DNS",
                "compatibility_level = 3.6",
                "queue_directory = " + pf.queue,
                "data_directory = " + data,
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "syslog_name = postfix-" + name,
                "myhostname = " + name + ".portcullis.test",
                "mydomain = portcullis.test",
                "myorigin = $myhostname",
                "mydestination =",
                "local_recipient_maps =",
                "relay_domains =",
                "alias_maps =",
                "alias_database =",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "smtpd_relay_restrictions = permit_mynetworks, reject",
                "relayhost = [127.0.0.1]:" + relayPort,
                "smtp_dns_support_level = disabled",
                "smtpd_peername_lookup = no",
                "smtp_tls_security_level = none",
                "smtpd_tls_security_level = none",
                "smtputf8_enable = no",
                "biff = no",
                "message_size_limit = 104857600",
                "in_flow_delay = 0",
                "delay_warning_time = 0",
                "notify_classes =",
                // a deferred message is retried within seconds, not minutes
                "queue_run_delay = 2s",
                "minimal_backoff_time = 2s",
                "maximal_backoff_time = 4s",
                "smtpd_milters = " + (milter == null ? "" : milter.startsWith("unix:") ? milter : "inet:" + milter),
                "non_smtpd_milters =",
                "milter_protocol = 6",
                "milter_default_action = tempfail",
                "maillog_file = " + base.resolve("log/maillog"),
                "maillog_file_prefixes = " + base,
                ""));
        // the services table; its file name is fixed by Postfix
        Files.writeString(pf.etc.resolve("master.cf"), String.join("\n",
                "# Portcullis test instance: no chroot, the services relaying needs",
                "127.0.0.1:" + smtpPort + " inet n - n - - smtpd",
                reinjectPort == 0 ? "" : "127.0.0.1:" + reinjectPort + " inet n - n - - smtpd",
                slowReinjectPort == 0 ? "" : "127.0.0.1:" + slowReinjectPort + " inet n - n - - smtpd -o { smtpd_end_of_data_restrictions = sleep "
                        + SLOW_SECONDS + " }",
                "pickup unix n - n 60 1 pickup",
                "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 1 qmgr",
                "rewrite unix - - n - - trivial-rewrite",
                "bounce unix - - n - 0 bounce",
                "defer unix - - n - 0 bounce",
                "trace unix - - n - 0 bounce",
                "verify unix - - n - 1 verify",
                "flush unix n - n 1000? 0 flush",
                "proxymap unix - - n - - proxymap",
                "smtp unix - - n - - smtp",
                "relay unix - - n - - smtp",
                "showq unix n - n - - showq",
                "error unix - - n - - error",
                "retry unix - - n - - error",
                "discard unix - - n - - discard",
                "anvil unix - - n - 1 anvil",
                "scache unix - - n - 1 scache",
                "postlog unix-dgram n - n - 1 postlogd",
                // TLS session cache and entropy: smtpd offers no STARTTLS without it
                "tlsmgr unix - - n 1000? 1 tlsmgr",
                ""));
        run(sudo("chown", "postfix:postfix", data.toString()));
        pf.postfix("check"); // creates the queue directories with their owners and modes
        return pf;
    }

    /** The command that runs {@code postfix <action>} on this instance (for the updater's service control). */
    String command(String action) {
        return POSTFIX + " -c " + etc + " " + action;
    }

    /**
     * Makes this instance a service the appliance at {@code home} stops and starts during an
     * update (kind command, order 20), and, when {@code drain}, the queue its updates drain.
     */
    void controlledBy(Path home, boolean drain) throws IOException {
        Files.writeString(home.resolve("etc/org.portcullis.updater.service-postfix.cfg"), "name = postfix\norder = 20\nkind = command\n"
                + "stop.command = " + command("stop") + "\nstart.command = " + command("start") + "\nstatus.command = " + command("status") + "\n");
        if (drain) {
            Files.writeString(home.resolve("etc/org.portcullis.updater.cfg"), "queue.command = " + queueCommand() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** Offers STARTTLS with the key and chain in {@code chainFile} (smtpd_tls_chain_files); call before {@link #start}. */
    void tls(Path chainFile) throws IOException, InterruptedException {
        run(sudo("/usr/sbin/postconf", "-c", etc.toString(), "-e", "smtpd_tls_security_level = may", "smtpd_tls_chain_files = " + chainFile,
                "smtpd_tls_loglevel = 1"));
    }

    /** The command that lists this instance's queue as JSON ({@code postqueue -j}). */
    String queueCommand() {
        return "/usr/sbin/postqueue -c " + etc + " -j";
    }

    /** Whether this instance's main process runs ({@code postfix status}). */
    boolean running() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(sudo(POSTFIX.toString(), "-c", etc.toString(), "status")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    void start() throws IOException, InterruptedException {
        postfix("start");
        running = true;
    }

    void stop() throws IOException, InterruptedException {
        if (running) {
            postfix("stop");
            running = false;
        }
    }

    /** Messages in this instance's queue (incoming, active, deferred, hold, maildrop). */
    int queued() throws IOException {
        int n = 0;
        for (String dir : List.of("incoming", "active", "deferred", "hold", "maildrop")) {
            Path d = queue.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.walk(d)) {
                    n += (int) files.filter(Files::isRegularFile).count();
                }
            }
        }
        return n;
    }

    /** Messages in the hold queue (where a milter quarantine puts them when Portcullis has no quarantine bundle). */
    int held() throws IOException {
        Path d = queue.resolve("hold");
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(d)) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }

    /** Asks the queue manager to retry every deferred message now. */
    void flush() throws IOException, InterruptedException {
        run(sudo("postqueue", "-c", etc.toString(), "-f"));
    }

    String log() {
        try {
            Path log = base.resolve("log/maillog");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            run(sudo("rm", "-rf", base.toString()));
        }
    }

    private void postfix(String command) throws IOException, InterruptedException {
        run(sudo(POSTFIX.toString(), "-c", etc.toString(), command));
    }

    static String[] sudo(String... command) {
        if ("root".equals(System.getProperty("user.name"))) {
            return command;
        }
        List<String> all = new ArrayList<>(List.of("sudo", "-n"));
        all.addAll(List.of(command));
        return all.toArray(new String[0]);
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
