package org.portcullis.acme.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.acme.AcmeException;
import org.portcullis.acme.CertificateStatus;
import org.portcullis.acme.Certificates;
import org.portcullis.acme.DnsChallengeSolver;
import org.portcullis.core.AtomicFiles;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.rest.HttpsCertificate;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.portcullis.updater.spi.ControlledService;
import org.osgi.annotation.bundle.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACME certificates: the account and the certificate live in the shared database, so the
 * Primary orders and renews once for the cluster and every node installs the newest certificate
 * (HTTPS through {@link HttpsCertificate}, Postfix through its chain file and a reload). One
 * operation at a time per node; the renewal check runs as a Primary job.
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = AcmeService.SCHEMA)
@Component(service = Certificates.class, immediate = true, configurationPid = "org.portcullis.acme")
@Designate(ocd = AcmeConfig.class)
public class AcmeService implements Certificates {

    static final String SCHEMA = "acme";
    static final String RENEW_JOB = "acme.renew";
    private static final Logger LOG = LoggerFactory.getLogger(AcmeService.class);
    private static final Logger MAIL = LoggerFactory.getLogger("portcullis.mail");
    private static final String NAME = "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?";

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterRole cluster;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile HttpsCertificate https;

    private final List<ControlledService> services = new CopyOnWriteArrayList<>();
    private final Map<String, DnsChallengeSolver> solvers = new ConcurrentHashMap<>();
    private final ReentrantLock busy = new ReentrantLock();
    private final Object installing = new Object();

    private Supplier<ClusterRole> role = () -> ClusterRole.SINGLE_NODE;
    private AcmeStore store;
    private AcmeConfig config;
    private Path local;
    private ScheduledExecutorService timer;
    private volatile String installProblem = "";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addService(ControlledService s) {
        services.add(s);
    }

    void removeService(ControlledService s) {
        services.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSolver(DnsChallengeSolver s, Map<String, Object> props) {
        solvers.put(String.valueOf(props.get(DnsChallengeSolver.NAME)), s);
    }

    void removeSolver(DnsChallengeSolver s, Map<String, Object> props) {
        solvers.remove(String.valueOf(props.get(DnsChallengeSolver.NAME)), s);
    }

    @Activate
    void activate(BundleContext context, AcmeConfig config) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        role = () -> ClusterRole.orSingleNode(cluster, context);
        start(new AcmeStore(ds), config, Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "acme"));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-acme");
            t.setDaemon(true);
            return t;
        });
        long minutes = Math.max(1, config.check_minutes());
        timer.scheduleWithFixedDelay(this::installQuietly, 5, 60, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::renewQuietly, 2, minutes, TimeUnit.MINUTES);
    }

    /** Uses {@code store}, {@code config} and {@code local} (this node's folder), also for tests. */
    void start(AcmeStore store, AcmeConfig config, Path local) {
        this.store = store;
        this.config = config;
        this.local = local;
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    // ---- account

    @Override
    public String account(String contact, boolean agreed, String by) {
        String mail = contact == null ? "" : contact.strip();
        if (!mail.isEmpty() && !mail.matches("[^@\\s<>]+@[^@\\s<>]+\\.[^@\\s<>]+")) {
            throw new AcmeException(AcmeException.Code.INVALID, "contact: '" + mail + "' is not an e-mail address");
        }
        return exclusive(() -> {
            Issuer issuer = issuer();
            String terms = issuer.terms();
            if (!agreed) {
                throw new AcmeException(AcmeException.Code.INVALID, "the CA's terms of service must be agreed to (--agree-tos)"
                        + (terms.isEmpty() ? "" : ": " + terms));
            }
            Optional<AcmeStore.Account> existing = db(store::account);
            KeyPair key = existing.filter(a -> a.directory().equals(directory().toString())).map(a -> keyPair(a.keyPem()))
                    .orElseGet(() -> Keys.ec("secp384r1"));
            URL url = issuer.account(key, mail);
            db(() -> {
                store.saveAccount(new AcmeStore.Account(directory().toString(), Keys.pem(key), url.toString(), mail, terms, by));
                return null;
            });
            LOG.info("ACME: account {} at {} (contact {}), terms {} agreed to by {}", url, directory(), mail.isEmpty() ? "none" : mail,
                    terms.isEmpty() ? "(none)" : terms, by);
            return "Account " + url + (terms.isEmpty() ? "" : "; terms of service agreed to: " + terms);
        });
    }

    // ---- ordering and renewing

    @Override
    public List<String> order(List<String> names, String by) {
        List<String> wanted = names(names);
        return exclusive(() -> asPrimary(() -> {
            AcmeStore.Schedule s = db(store::schedule);
            Instant caWait = s.caRetryAfter();
            if (caWait != null && caWait.isAfter(Instant.now())) {
                throw new AcmeException(AcmeException.Code.UNAVAILABLE, "the CA asked not to be asked again before " + caWait.truncatedTo(ChronoUnit.SECONDS)
                        + " (" + s.lastError() + ")");
            }
            db(() -> {
                store.replaceNames(wanted);
                return null;
            });
            return issue(wanted, by, null);
        }));
    }

    @Override
    public List<String> renew(boolean force, String by) {
        return exclusive(() -> asPrimary(() -> {
            Optional<AcmeStore.Stored> latest = db(store::latest);
            List<String> wanted = db(store::names).stream().map(CertificateStatus.NameStatus::name).toList();
            if (wanted.isEmpty()) {
                throw new AcmeException(AcmeException.Code.NOT_FOUND, "no names to renew: order a certificate first (acme:order NAME…)");
            }
            AcmeStore.Schedule s = db(store::schedule);
            Instant now = Instant.now();
            if (s.nextTry() != null && s.nextTry().isAfter(now)) {
                throw new AcmeException(AcmeException.Code.UNAVAILABLE, "after " + s.failures() + (s.failures() == 1 ? " failed try" : " failed tries")
                        + " the next is at " + s.nextTry().truncatedTo(ChronoUnit.SECONDS) + " (" + s.lastError() + ")");
            }
            if (!force && latest.isPresent() && !latest.get().revoked() && latest.get().renewAt().isAfter(now)) {
                return List.of("Not due: renews at " + latest.get().renewAt().truncatedTo(ChronoUnit.SECONDS) + " (acme:renew --force renews now)");
            }
            X509Certificate replaces = latest.filter(l -> !l.revoked()).map(l -> leaf(l.chainPem())).orElse(null);
            return issue(wanted, by, replaces);
        }));
    }

    /** Orders, stores and installs; records each name's outcome and, on failure, the back-off. */
    private List<String> issue(List<String> wanted, String by, X509Certificate replaces) {
        AcmeStore.Account account = db(store::account).orElseThrow(() -> new AcmeException(AcmeException.Code.NOT_FOUND,
                "no ACME account yet: acme:account --contact ADDRESS --agree-tos"));
        if (!account.directory().equals(directory().toString())) {
            throw new AcmeException(AcmeException.Code.INVALID, "the account is at " + account.directory() + ", not at the configured " + directory()
                    + ": make one there (acme:account)");
        }
        List<String> lines = new ArrayList<>();
        try {
            Issuer.Issued issued;
            if ("dns-01".equals(challenge())) {
                DnsChallengeSolver solver = solvers.get(config.dns_solver().strip());
                if (solver == null) {
                    throw new AcmeException(AcmeException.Code.INVALID, "dns.solver: no DNS challenge solver named '" + config.dns_solver().strip()
                            + "' is registered" + (solvers.isEmpty() ? "" : " (there are: " + String.join(", ", solvers.keySet()) + ")"));
                }
                issued = issuer().order(keyPair(account.keyPem()), new URL(account.url()), wanted, Issuer.dns01(solver), replaces);
            } else {
                try (Http01Responder responder = new Http01Responder()) {
                    responder.open(config.http_address(), config.http_port());
                    issued = issuer().order(keyPair(account.keyPem()), new URL(account.url()), wanted, Issuer.http01(responder), replaces);
                }
            }
            for (Issuer.Refused r : issued.refused()) {
                db(() -> {
                    store.nameOutcome(r.name(), "failed", r.reason());
                    return null;
                });
                lines.add(r.name() + ": not validated: " + r.reason());
                LOG.warn("ACME: {} left out of the certificate: {}", r.name(), r.reason());
            }
            if (issued.chain() == null) {
                throw new AcmeException(AcmeException.Code.INVALID, "no name validated: " + issued.refused().stream().map(r -> r.name() + " (" + r.reason()
                        + ")").reduce((a, b) -> a + "; " + b).orElse(""));
            }
            X509Certificate leaf = issued.chain().get(0);
            Instant renewAt = renewAt(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), issued.ariStart(), issued.ariEnd());
            long id = db(() -> store.saveCertificate(issued.names(), Keys.pem(issued.key()), Installer.pem(issued.chain()), leaf.getSerialNumber()
                    .toString(16), leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), leaf.getIssuerX500Principal().getName(), renewAt, by));
            for (String n : issued.names()) {
                db(() -> {
                    store.nameOutcome(n, "valid", "in certificate " + leaf.getSerialNumber().toString(16));
                    return null;
                });
                lines.add(n + ": valid");
            }
            String partial = issued.refused().isEmpty() ? "" : " — for " + String.join(", ", issued.names()) + " only; left out: "
                    + String.join(", ", issued.refused().stream().map(Issuer.Refused::name).toList());
            LOG.info("ACME: certificate {} issued for {} by {}, valid until {}, renews at {}{}", leaf.getSerialNumber().toString(16), issued.names(), by,
                    leaf.getNotAfter().toInstant(), renewAt, partial);
            lines.add("Certificate " + leaf.getSerialNumber().toString(16) + " issued, valid until " + leaf.getNotAfter().toInstant().truncatedTo(
                    ChronoUnit.SECONDS) + ", renews at " + renewAt.truncatedTo(ChronoUnit.SECONDS) + partial);
            lines.addAll(install(id));
            return lines;
        } catch (AcmeException e) {
            recordFailure(e);
            throw e;
        } catch (IOException e) {
            AcmeException a = new AcmeException(AcmeException.Code.UNAVAILABLE, Issuer.oneLine(e.getMessage()), e);
            recordFailure(a);
            throw a;
        }
    }

    /** ARI's window when the CA gives one (a random moment in it), else when a third of the lifetime is left. */
    static Instant renewAt(Instant notBefore, Instant notAfter, Optional<Instant> ariStart, Optional<Instant> ariEnd) {
        if (ariStart.isPresent() && ariEnd.isPresent() && !ariEnd.get().isBefore(ariStart.get())) {
            long span = Duration.between(ariStart.get(), ariEnd.get()).toSeconds();
            return ariStart.get().plusSeconds(span == 0 ? 0 : ThreadLocalRandom.current().nextLong(span + 1));
        }
        return notBefore.plus(Duration.between(notBefore, notAfter).multipliedBy(2).dividedBy(3));
    }

    /**
     * The wait after {@code failures} failed tries in a row: {@code base} doubled per failure up to
     * {@code cap}, spread ±20 %, and never before the CA's {@code Retry-After}.
     */
    static Instant nextTry(Instant now, int failures, Duration base, Duration cap, Optional<Instant> retryAfter) {
        Duration d = base.multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
        if (d.compareTo(cap) > 0) {
            d = cap;
        }
        long ms = d.toMillis();
        long spread = ms / 5;
        Instant next = now.plusMillis(ms - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1));
        return retryAfter.filter(r -> r.isAfter(next)).orElse(next);
    }

    private void recordFailure(AcmeException e) {
        try {
            AcmeStore.Schedule s = store.schedule();
            int failures = s.failures() + 1;
            Optional<Instant> retryAfter = e instanceof Issuer.RateLimited r ? r.retryAfter : Optional.empty();
            Instant next = nextTry(Instant.now(), failures, Duration.ofSeconds(Math.max(1, config.backoff_seconds())),
                    Duration.ofHours(Math.max(1, config.backoff_max_hours())), retryAfter);
            store.failed(failures, next, retryAfter.orElse(null), Issuer.oneLine(e.getMessage()));
            LOG.warn("ACME: try {} failed: {}; the next try is not before {}", failures, e.getMessage(), next);
        } catch (SQLException ex) {
            LOG.warn("ACME: cannot record the failure ({}): {}", ex.getMessage(), e.getMessage());
        }
    }

    /** The scheduled check: on the Primary, warns of a near expiry and renews what is due (and not backing off). */
    private void renewQuietly() {
        try {
            if (!role.get().isPrimary()) {
                return;
            }
            Optional<AcmeStore.Stored> latest = store.latest();
            if (latest.isEmpty()) {
                return;
            }
            warnExpiry(latest.get());
            AcmeStore.Schedule s = store.schedule();
            Instant now = Instant.now();
            if ((latest.get().renewAt().isAfter(now) && !latest.get().revoked()) || (s.nextTry() != null && s.nextTry().isAfter(now))) {
                return;
            }
            renew(false, "renewal");
        } catch (Exception e) {
            LOG.warn("ACME: the renewal failed: {}", Issuer.oneLine(e.getMessage()));
        }
    }

    private void warnExpiry(AcmeStore.Stored cert) {
        Duration left = Duration.between(Instant.now(), cert.notAfter());
        if (left.compareTo(Duration.ofDays(Math.max(0, config.warn_days()))) <= 0) {
            MAIL.warn("certificate: serial={} names={} expires={} days_left={} — not renewed yet", cert.serial(), String.join(",", cert.names()),
                    cert.notAfter(), left.toDays());
        }
    }

    // ---- installing on this node

    private void installQuietly() {
        try {
            Optional<AcmeStore.Stored> latest = store.latest();
            if (latest.isPresent()) {
                install(latest.get().id());
            }
        } catch (Exception e) {
            LOG.debug("ACME: install check: {}", e.getMessage());
        }
    }

    /** Installs certificate {@code id} where it is not yet (this node's HTTPS and Postfix); one line per place. */
    private List<String> install(long id) throws IOException {
        synchronized (installing) {
            AcmeStore.Stored cert = db(store::latest).filter(c -> c.id() == id).orElseThrow(() -> new IOException("certificate " + id + " is gone"));
            Properties done = installed();
            List<String> lines = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            KeyPair key = keyPair(cert.keyPem());
            List<X509Certificate> chain = Installer.chain(cert.chainPem());
            if (!cert.serial().equals(done.getProperty("https"))) {
                HttpsCertificate h = https;
                if (h == null) {
                    problems.add("HTTPS: the REST bundle is not running");
                } else {
                    try {
                        long t0 = System.nanoTime();
                        h.install(key.getPrivate(), chain);
                        done.setProperty("https", cert.serial());
                        lines.add("HTTPS: serves it (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms)");
                    } catch (IOException e) {
                        problems.add("HTTPS: " + e.getMessage());
                    }
                }
            }
            String chainFile = config.postfix_chain_file().strip();
            if (!chainFile.isEmpty() && !cert.serial().equals(done.getProperty("postfix"))) {
                try {
                    lines.add("Postfix: " + installPostfix(Paths.get(chainFile), key, chain));
                    done.setProperty("postfix", cert.serial());
                } catch (IOException e) {
                    problems.add("Postfix: " + e.getMessage());
                }
            }
            saveInstalled(done);
            installProblem = String.join("; ", problems);
            problems.forEach(p -> LOG.warn("ACME: certificate {} not installed: {}", cert.serial(), p));
            lines.addAll(problems);
            return lines;
        }
    }

    private String installPostfix(Path file, KeyPair key, List<X509Certificate> chain) throws IOException {
        Installer.writeChainFile(file, key, chain);
        try {
            reloadPostfix();
            String check = config.postfix_check().strip();
            if (check.isEmpty()) {
                return file + " written, Postfix reloaded (not checked: postfix.check is empty)";
            }
            int colon = check.lastIndexOf(':');
            String host = check.substring(0, colon);
            int port = Integer.parseInt(check.substring(colon + 1));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            String seen = "no answer";
            while (System.nanoTime() < end) {
                try {
                    X509Certificate served = Installer.starttlsLeaf(host, port, Duration.ofSeconds(5));
                    if (served.equals(chain.get(0))) {
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
            if (Installer.restoreChainFile(file)) {
                try {
                    reloadPostfix();
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
            }
            throw new IOException(Issuer.oneLine(e.getMessage()) + "; the previous certificate file is back", e);
        }
    }

    private void reloadPostfix() throws IOException {
        String name = config.postfix_service().strip();
        ControlledService s = services.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new IOException(
                "no service named '" + name + "' is under update control (etc/org.portcullis.updater.service-" + name + ".cfg) to reload Postfix"));
        try {
            s.reload();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("reloading " + name + ": " + e.getMessage(), e);
        }
    }

    private Properties installed() {
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

    // ---- status, revoke

    @Override
    public CertificateStatus status() {
        Optional<AcmeStore.Account> account = db(store::account);
        Optional<AcmeStore.Stored> latest = db(store::latest);
        AcmeStore.Schedule s = db(store::schedule);
        Properties done = installed();
        List<String> installedLines = new ArrayList<>();
        latest.ifPresent(c -> {
            installedLines.add("https " + (c.serial().equals(done.getProperty("https")) ? c.serial() : "not yet"));
            if (!config.postfix_chain_file().isBlank()) {
                installedLines.add("postfix " + (c.serial().equals(done.getProperty("postfix")) ? c.serial() : "not yet"));
            }
        });
        if (!installProblem.isEmpty()) {
            installedLines.add("problem: " + installProblem);
        }
        return new CertificateStatus(directory().toString(), account.map(AcmeStore.Account::url).orElse(""), account.map(AcmeStore.Account::contact)
                .orElse(""), db(store::names), latest.map(c -> new CertificateStatus.Issued(c.id(), c.names(), c.serial(), c.notBefore(), c.notAfter(),
                        c.issuer(), c.issued())).orElse(null), latest.filter(c -> !c.revoked()).map(AcmeStore.Stored::renewAt).orElse(null), s.nextTry(),
                s.failures(), s.lastError(), installedLines);
    }

    @Override
    public String revoke(String by) {
        return exclusive(() -> {
            AcmeStore.Account account = db(store::account).orElseThrow(() -> new AcmeException(AcmeException.Code.NOT_FOUND, "no ACME account"));
            AcmeStore.Stored cert = db(store::latest).filter(c -> !c.revoked()).orElseThrow(() -> new AcmeException(AcmeException.Code.NOT_FOUND,
                    "no certificate to revoke"));
            try {
                issuer().revoke(keyPair(account.keyPem()), new URL(account.url()), leaf(cert.chainPem()));
            } catch (IOException e) {
                throw new AcmeException(AcmeException.Code.INVALID, e.getMessage(), e);
            }
            db(() -> {
                store.revoked(cert.id());
                return null;
            });
            LOG.warn("ACME: certificate {} for {} revoked by {}; it stays installed until a new one replaces it (acme:renew)", cert.serial(),
                    cert.names(), by);
            return "Revoked certificate " + cert.serial() + "; the next renewal check orders a new one (acme:renew orders it now)";
        });
    }

    // ---- helpers

    /** Lower-cased, distinct, each a DNS name (no wildcard: HTTP-01 cannot validate one). */
    static List<String> names(List<String> names) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String n : names == null ? List.<String>of() : names) {
            for (String part : n.split("[,\\s]+")) {
                String name = part.strip().toLowerCase(Locale.ROOT);
                if (name.endsWith(".")) {
                    name = name.substring(0, name.length() - 1);
                }
                if (name.isEmpty()) {
                    continue;
                }
                if (!name.matches(NAME)) {
                    throw new AcmeException(AcmeException.Code.INVALID, "'" + part.strip() + "' is not a DNS name (letters, digits and '-' in dot-separated "
                            + "labels; no wildcard, no IP address)");
                }
                out.add(name);
            }
        }
        if (out.isEmpty()) {
            throw new AcmeException(AcmeException.Code.INVALID, "no name given");
        }
        if (out.size() > 100) {
            throw new AcmeException(AcmeException.Code.INVALID, out.size() + " names: a certificate takes at most 100");
        }
        return List.copyOf(out);
    }

    private String challenge() {
        String c = config.challenge().strip().toLowerCase(Locale.ROOT);
        if (!c.equals("http-01") && !c.equals("dns-01")) {
            throw new AcmeException(AcmeException.Code.INVALID, "challenge: '" + config.challenge() + "' is neither http-01 nor dns-01");
        }
        return c;
    }

    private URI directory() {
        try {
            URI u = new URI(config.directory_url().strip());
            if (!"https".equals(u.getScheme())) {
                throw new AcmeException(AcmeException.Code.INVALID, "directory.url: '" + config.directory_url() + "' is not an https URL");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new AcmeException(AcmeException.Code.INVALID, "directory.url: '" + config.directory_url() + "' is not a URL");
        }
    }

    private Issuer issuer() {
        return new Issuer(directory(), trust(), Duration.ofSeconds(Math.max(5, config.timeout_seconds())));
    }

    /** The configured CA certificates as the trust of the directory's HTTPS, or null for the JVM's. */
    private SSLContext trust() {
        String file = config.directory_trust().strip();
        if (file.isEmpty()) {
            return null;
        }
        try (InputStream in = Files.newInputStream(Paths.get(file))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new AcmeException(AcmeException.Code.INVALID, "directory.trust: " + file + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new AcmeException(AcmeException.Code.INVALID, "directory.trust: " + file + ": " + e.getMessage());
        }
    }

    private static KeyPair keyPair(String pem) {
        try {
            return Keys.read(pem);
        } catch (IOException | RuntimeException e) {
            throw new AcmeException(AcmeException.Code.INVALID, "the stored key cannot be read: " + e.getMessage());
        }
    }

    private static X509Certificate leaf(String chainPem) {
        try {
            return Installer.chain(chainPem).get(0);
        } catch (IOException e) {
            throw new AcmeException(AcmeException.Code.INVALID, e.getMessage());
        }
    }

    private <T> T asPrimary(Supplier<T> work) {
        Object[] out = new Object[1];
        boolean ran;
        try {
            ran = role.get().runAsPrimary(RENEW_JOB, fence -> out[0] = work.get());
        } catch (AcmeException e) {
            throw e;
        } catch (Exception e) {
            throw new AcmeException(AcmeException.Code.UNAVAILABLE, Issuer.oneLine(e.getMessage()), e);
        }
        if (!ran) {
            throw new AcmeException(AcmeException.Code.FORBIDDEN, "certificates are ordered by the cluster's Primary; this node is a Secondary");
        }
        @SuppressWarnings("unchecked")
        T t = (T) out[0];
        return t;
    }

    private <T> T exclusive(Supplier<T> work) {
        if (!busy.tryLock()) {
            throw new AcmeException(AcmeException.Code.BUSY, "another certificate operation runs on this node; try again when it has ended");
        }
        try {
            return work.get();
        } finally {
            busy.unlock();
        }
    }

    interface Sql<T> {
        T get() throws SQLException;
    }

    private static <T> T db(Sql<T> work) {
        try {
            return work.get();
        } catch (SQLException e) {
            throw new AcmeException(AcmeException.Code.UNAVAILABLE, "the database: " + Issuer.oneLine(e.getMessage()), e);
        }
    }
}
