package org.portcullis.acme.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.portcullis.core.AtomicFiles;
import org.portcullis.rest.HttpsCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's share: the newest certificate put where it is served — the HTTPS API through
 * {@link HttpsCertificate}, Postfix through its chain file, {@code postfix reload} and a STARTTLS proof — and
 * the serials installed, in {@code installed.properties} of this node's folder.
 */
final class NodeInstall {

    private static final Logger LOG = LoggerFactory.getLogger(NodeInstall.class);

    private final AcmeConfig config;
    private final Path local;
    private final Supplier<HttpsCertificate> https;
    private final Map<String, Instant> retryInstall = new ConcurrentHashMap<>();
    private final Map<String, Integer> installFailures = new ConcurrentHashMap<>();
    private volatile String problem = "";

    NodeInstall(AcmeConfig config, Path local, Supplier<HttpsCertificate> https) {
        this.config = config;
        this.local = local;
        this.https = https;
    }

    /** What failed at the last installation, or empty. */
    String problem() {
        return problem;
    }

    /**
     * Installs {@code cert} where it is not yet (this node's HTTPS and Postfix); one line per
     * place. A place that failed is tried again after a wait that doubles from a minute to an
     * hour ({@code now}: at once, for an admin's order). An expired or revoked certificate is
     * installed nowhere.
     */
    synchronized List<String> install(AcmeStore.Stored cert, KeyPair key, boolean now) throws IOException {
        List<X509Certificate> chain = Installer.chain(cert.chainPem());
        String unusable = cert.revoked() ? "it is revoked (acme:renew orders a new one)" : Installer.unusable(key, chain.get(0));
        if (unusable != null) {
            problem = "certificate " + cert.serial() + " is installed nowhere: " + unusable;
            return List.of("Not installed: " + unusable);
        }
        Properties done = installed();
        List<String> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        place("https", cert.serial(), done, now, lines, problems, () -> {
            HttpsCertificate h = https.get();
            if (h == null) {
                throw new IOException("the REST bundle is not running");
            }
            long t0 = System.nanoTime();
            h.install(key.getPrivate(), chain);
            return "serves it (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms)";
        });
        String chainFile = config.postfix_chain_file().strip();
        if (!chainFile.isEmpty()) {
            place("postfix", cert.serial(), done, now, lines, problems, () -> installPostfix(Paths.get(chainFile), key, chain));
        }
        saveInstalled(done);
        problem = String.join("; ", problems);
        return lines;
    }

    interface Placing {
        String install() throws IOException;
    }

    /** Installs in one place ({@code https}, {@code postfix}) unless it has this serial already or waits after a failure. */
    private void place(String where, String serial, Properties done, boolean now, List<String> lines, List<String> problems, Placing placing) {
        String label = where.equals("https") ? "HTTPS" : "Postfix";
        if (serial.equals(done.getProperty(where))) {
            lines.add(label + ": serves it already");
            return;
        }
        String k = where + ":" + serial;
        Instant wait = retryInstall.get(k);
        if (!now && wait != null && wait.isAfter(Instant.now())) {
            problems.add(label + ": waiting until " + wait.truncatedTo(ChronoUnit.SECONDS) + " to try again");
            return;
        }
        try {
            lines.add(label + ": " + placing.install());
            done.setProperty(where, serial);
            retryInstall.remove(k);
            installFailures.remove(k);
        } catch (IOException | RuntimeException e) {
            int n = installFailures.merge(k, 1, Integer::sum);
            Duration d = Duration.ofMinutes(1L << Math.min(6, n - 1));
            retryInstall.put(k, Instant.now().plus(d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d));
            String why = label + ": " + Issuer.oneLine(e.getMessage());
            problems.add(why);
            lines.add(why);
            LOG.warn("ACME: certificate {} not installed ({} failures in a row): {}", serial, n, why);
        }
    }

    private String installPostfix(Path file, KeyPair key, List<X509Certificate> chain) throws IOException {
        // everything that can be checked is checked before the file is touched
        String check = config.postfix_check().strip();
        String host = null;
        int port = 0;
        if (!check.isEmpty()) {
            int colon = check.lastIndexOf(':');
            try {
                host = check.substring(0, colon);
                port = Integer.parseInt(check.substring(colon + 1));
            } catch (RuntimeException e) {
                throw new IOException("postfix.check: '" + check + "' is not HOST:PORT");
            }
        }
        List<String> reload = words(config.postfix_reload_command());
        if (reload.isEmpty()) {
            throw new IOException("postfix.reload.command is empty: Postfix would not read the new file");
        }
        List<String> status = words(config.postfix_status_command());
        if (!status.isEmpty() && run(status).exit() != 0) {
            throw new IOException("Postfix is not running (" + String.join(" ", status) + " says so; an update under way?): installed once it runs");
        }
        Installer.writeChainFile(file, key, chain);
        try {
            reload(reload);
            if (check.isEmpty()) {
                Installer.proven(file);
                return file + " written, Postfix reloaded (not checked: postfix.check is empty)";
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            String seen = "no answer";
            while (System.nanoTime() < end) {
                try {
                    X509Certificate served = Installer.starttlsLeaf(host, port, Duration.ofSeconds(5));
                    if (served.equals(chain.get(0))) {
                        Installer.proven(file);
                        return "STARTTLS on " + check + " presents it";
                    }
                    seen = "it presents " + served.getSubjectX500Principal().getName() + " serial " + served.getSerialNumber().toString(16);
                } catch (IOException e) {
                    seen = e.getMessage();
                }
                Thread.sleep(250);
            }
            throw new IOException("STARTTLS on " + check + " does not present the new certificate (" + seen + ")");
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String after;
            try {
                if (Installer.restoreChainFile(file)) {
                    reload(reload);
                    after = "the previous certificate file is back";
                } else {
                    after = "there was no file before, so the new one stays";
                }
            } catch (IOException again) {
                after = "putting the previous file back failed too: " + again.getMessage();
            }
            throw new IOException(Issuer.oneLine(e.getMessage()) + "; " + after, e);
        }
    }

    static List<String> words(String command) {
        return command == null || command.isBlank() ? List.of() : List.of(command.strip().split("\\s+"));
    }

    /** A command's exit status and the last line it printed. */
    private record Ran(int exit, String lastLine) {
    }

    /** Runs {@code command} (60 s at most). */
    private static Ran run(List<String> command) throws IOException {
        Path output = Files.createTempFile("portcullis-acme-", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IOException(String.join(" ", command) + " did not end within 60 s");
            }
            String out = Files.readString(output, java.nio.charset.StandardCharsets.UTF_8).strip();
            return new Ran(p.exitValue(), out.substring(out.lastIndexOf('\n') + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " interrupted");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    private static void reload(List<String> command) throws IOException {
        Ran r = run(command);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exit() + (r.lastLine().isEmpty() ? "" : ": " + r.lastLine()));
        }
    }

    Properties installed() {
        Properties p = new Properties();
        Path f = local.resolve("installed.properties");
        if (Files.exists(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            } catch (IOException e) {
                LOG.warn("ACME: {} unreadable ({}): installing again", f, e.getMessage());
            }
        }
        return p;
    }

    private void saveInstalled(Properties p) throws IOException {
        Files.createDirectories(local);
        AtomicFiles.writePrivate(local.resolve("installed.properties"), out -> p.store(out, "certificate ids installed on this node"));
    }

}
