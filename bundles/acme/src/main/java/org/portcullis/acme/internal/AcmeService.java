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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.portcullis.core.Gauge;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;
import org.portcullis.rest.HttpsCertificate;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
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

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterRole cluster;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile HttpsCertificate https;

    private final Map<String, DnsChallengeSolver> solvers = new ConcurrentHashMap<>();
    private final ReentrantLock busy = new ReentrantLock();
    private final Object installing = new Object();

    private Supplier<ClusterRole> role = () -> ClusterRole.SINGLE_NODE;
    private AcmeStore store;
    private AcmeConfig config;
    private ScheduledExecutorService timer;
    private org.osgi.framework.ServiceRegistration<Gauge> expiryGauge;
    private NodeInstall nodeInstall;

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
        expiryGauge = context.registerService(Gauge.class, new Gauge() {
            @Override
            public String name() {
                return "portcullis_certificate_not_after_timestamp_seconds";
            }

            @Override
            public String help() {
                return "When the ACME certificate expires (Unix time); absent without one";
            }

            @Override
            public double value() {
                try {
                    return store.latest().map(c -> (double) c.notAfter().getEpochSecond()).orElse(Double.NaN);
                } catch (SQLException e) {
                    return Double.NaN;
                }
            }
        }, null);
        long minutes = Math.max(1, config.check_minutes());
        timer.scheduleWithFixedDelay(this::installQuietly, 5, 60, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(this::renewQuietly, 2, minutes, TimeUnit.MINUTES);
    }

    /** Uses {@code store}, {@code config} and {@code local} (this node's folder), also for tests. */
    void start(AcmeStore store, AcmeConfig config, Path local) {
        this.store = store;
        this.config = config;
        this.nodeInstall = new NodeInstall(config, local, () -> https);
    }

    @Deactivate
    void deactivate() {
        if (expiryGauge != null) {
            expiryGauge.unregister();
        }
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
        List<String> wanted = Timing.names(names);
        return exclusive(() -> asPrimary(fence -> {
            AcmeStore.Schedule s = db(store::schedule);
            Instant caWait = s.caRetryAfter();
            if (caWait != null && caWait.isAfter(Instant.now())) {
                throw new AcmeException(AcmeException.Code.UNAVAILABLE, "the CA asked not to be asked again before " + caWait.truncatedTo(ChronoUnit.SECONDS)
                        + " (" + s.lastError() + ")");
            }
            db(() -> {
                store.replaceNames(wanted, fence);
                return null;
            });
            return issue(wanted, by, null, fence);
        }));
    }

    @Override
    public List<String> renew(boolean force, String by) {
        return exclusive(() -> asPrimary(fence -> {
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
            // ARI: only a certificate of this CA is named as the one replaced
            X509Certificate replaces = latest.filter(l -> !l.revoked() && l.directory().equals(directory().toString())).map(l -> leaf(l.chainPem()))
                    .orElse(null);
            return issue(wanted, by, replaces, fence);
        }));
    }

    /**
     * Orders and stores (fenced: a node that lost the Primary's role meanwhile stores nothing),
     * records each name's outcome, then installs; a failure of the order is recorded with its
     * back-off. What happens after the certificate is stored is not a failed try.
     */
    private List<String> issue(List<String> wanted, String by, X509Certificate replaces, Fence fence) {
        AcmeStore.Account account = db(store::account).orElseThrow(() -> new AcmeException(AcmeException.Code.NOT_FOUND,
                "no ACME account yet: acme:account --contact ADDRESS --agree-tos"));
        if (!account.directory().equals(directory().toString())) {
            throw new AcmeException(AcmeException.Code.INVALID, "the account is at " + account.directory() + ", not at the configured " + directory()
                    + ": make one there (acme:account)");
        }
        Issuer.Issued issued;
        try {
            issued = order(account, wanted, replaces);
        } catch (AcmeException e) {
            recordFailure(e, fence);
            throw e;
        } catch (IOException | RuntimeException e) {
            AcmeException a = new AcmeException(AcmeException.Code.UNAVAILABLE, Issuer.oneLine(e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()), e);
            recordFailure(a, fence);
            throw a;
        }
        List<String> lines = new ArrayList<>();
        List<CertificateStatus.NameStatus> outcomes = new ArrayList<>();
        for (Issuer.Refused r : issued.refused()) {
            outcomes.add(new CertificateStatus.NameStatus(r.name(), "failed", r.reason(), null));
            lines.add(r.name() + ": not validated: " + r.reason());
            LOG.warn("ACME: {} left out of the certificate: {}", r.name(), r.reason());
        }
        if (issued.chain() == null) {
            db(() -> {
                store.nameOutcomes(outcomes, fence);
                return null;
            });
            AcmeException none = new AcmeException(AcmeException.Code.INVALID, "no name validated: " + issued.refused().stream().map(r -> r.name()
                    + " (" + r.reason() + ")").reduce((a, b) -> a + "; " + b).orElse(""));
            recordFailure(none, fence);
            throw none;
        }
        X509Certificate leaf = issued.chain().get(0);
        String serial = leaf.getSerialNumber().toString(16);
        Instant renewAt = Timing.renewAt(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), issued.ariStart(), issued.ariEnd());
        long id = db(() -> store.saveCertificate(issued.names(), Keys.pem(issued.key()), Installer.pem(issued.chain()), serial,
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), leaf.getIssuerX500Principal().getName(), renewAt, by,
                directory().toString(), fence));
        for (String n : issued.names()) {
            outcomes.add(new CertificateStatus.NameStatus(n, "valid", "in certificate " + serial, null));
            lines.add(n + ": valid");
        }
        try {
            store.nameOutcomes(outcomes, fence);
        } catch (SQLException | FencedException e) {
            lines.add("(the names' outcomes were not recorded: " + Issuer.oneLine(e.getMessage()) + ")");
        }
        String partial = issued.refused().isEmpty() ? "" : " — for " + String.join(", ", issued.names()) + " only; left out: "
                + String.join(", ", issued.refused().stream().map(Issuer.Refused::name).toList());
        LOG.info("ACME: certificate {} issued for {} by {}, valid until {}, renews at {}{}", serial, issued.names(), by, leaf.getNotAfter().toInstant(),
                renewAt, partial);
        lines.add("Certificate " + serial + " issued, valid until " + leaf.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS) + ", renews at "
                + renewAt.truncatedTo(ChronoUnit.SECONDS) + partial);
        try {
            lines.addAll(install(id));
        } catch (IOException | RuntimeException e) {
            lines.add("Not installed yet (tried again each minute): " + Issuer.oneLine(e.getMessage()));
        }
        return lines;
    }

    private Issuer.Issued order(AcmeStore.Account account, List<String> wanted, X509Certificate replaces) throws IOException {
        KeyPair key = keyPair(account.keyPem());
        URL url = new URL(account.url());
        if ("dns-01".equals(challenge())) {
            DnsChallengeSolver solver = solvers.get(config.dns_solver().strip());
            if (solver == null) {
                throw new AcmeException(AcmeException.Code.INVALID, "dns.solver: no DNS challenge solver named '" + config.dns_solver().strip()
                        + "' is registered" + (solvers.isEmpty() ? "" : " (there are: " + String.join(", ", solvers.keySet()) + ")"));
            }
            return issuer().order(key, url, wanted, Issuer.dns01(solver), replaces);
        }
        try (Http01Responder responder = new Http01Responder()) {
            responder.open(config.http_address(), config.http_port());
            return issuer().order(key, url, wanted, Issuer.http01(responder), replaces);
        }
    }

    private void recordFailure(AcmeException e, Fence fence) {
        try {
            AcmeStore.Schedule s = store.schedule();
            int failures = s.failures() + 1;
            Optional<Instant> retryAfter = e instanceof Issuer.RateLimited r ? r.retryAfter : Optional.empty();
            Instant next = Timing.nextTry(Instant.now(), failures, Duration.ofSeconds(Math.max(1, config.backoff_seconds())),
                    Duration.ofHours(Math.max(1, config.backoff_max_hours())), retryAfter);
            store.failed(failures, next, retryAfter.orElse(null), Issuer.oneLine(e.getMessage()), fence);
            LOG.warn("ACME: try {} failed: {}; the next try is not before {}", failures, e.getMessage(), next);
        } catch (SQLException | FencedException ex) {
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
            latest = Optional.of(followWindow(latest.get()));
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

    /**
     * ARI: asks the CA for the certificate's renewal window again (it moves it earlier, for
     * instance before a mass revocation) and brings the renewal forward into a moved window.
     */
    private AcmeStore.Stored followWindow(AcmeStore.Stored cert) throws SQLException {
        Optional<AcmeStore.Account> account = store.account();
        if (cert.revoked() || account.isEmpty() || !cert.directory().equals(directory().toString())
                || !account.get().directory().equals(cert.directory())) {
            return cert;
        }
        Optional<Instant[]> window;
        try {
            window = issuer().renewalWindow(keyPair(account.get().keyPem()), new URL(account.get().url()), leaf(cert.chainPem()));
        } catch (IOException | RuntimeException e) {
            return cert;
        }
        if (window.isEmpty() || !window.get()[0].isBefore(cert.renewAt())) {
            return cert;
        }
        Instant at = Timing.renewAt(cert.notBefore(), cert.notAfter(), Optional.of(window.get()[0]), Optional.of(window.get()[1]));
        store.renewAt(cert.id(), at);
        LOG.info("ACME: the CA moved the renewal window of certificate {} to {} – {}: renews at {}", cert.serial(), window.get()[0], window.get()[1], at);
        return new AcmeStore.Stored(cert.id(), cert.names(), cert.keyPem(), cert.chainPem(), cert.serial(), cert.notBefore(), cert.notAfter(),
                cert.issuer(), at, cert.issued(), cert.revoked(), cert.directory());
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
                install(latest.get().id(), false);
            }
        } catch (Exception e) {
            LOG.debug("ACME: install check: {}", e.getMessage());
        }
    }

    private List<String> install(long id) throws IOException {
        return install(id, true);
    }

    /** Installs certificate {@code id} where it is not yet on this node ({@link NodeInstall}). */
    private List<String> install(long id, boolean now) throws IOException {
        synchronized (installing) {
            AcmeStore.Stored cert = db(store::latest).filter(c -> c.id() == id).orElseThrow(() -> new IOException("certificate " + id + " is gone"));
            return nodeInstall.install(cert, keyPair(cert.keyPem()), now);
        }
    }

    // ---- status, revoke

    @Override
    public CertificateStatus status() {
        Optional<AcmeStore.Account> account = db(store::account);
        Optional<AcmeStore.Stored> latest = db(store::latest);
        AcmeStore.Schedule s = db(store::schedule);
        Properties done = nodeInstall.installed();
        List<String> installedLines = new ArrayList<>();
        latest.ifPresent(c -> {
            installedLines.add("https " + (c.serial().equals(done.getProperty("https")) ? c.serial() : "not yet"));
            if (!config.postfix_chain_file().isBlank()) {
                installedLines.add("postfix " + (c.serial().equals(done.getProperty("postfix")) ? c.serial() : "not yet"));
            }
        });
        if (!nodeInstall.problem().isEmpty()) {
            installedLines.add("problem: " + nodeInstall.problem());
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

    /** Runs {@code work} as the Primary's job, with the fence its database writes check. */
    private <T> T asPrimary(java.util.function.Function<Fence, T> work) {
        Object[] out = new Object[1];
        boolean ran;
        try {
            ran = role.get().runAsPrimary(RENEW_JOB, fence -> out[0] = work.apply(fence));
        } catch (AcmeException e) {
            throw e;
        } catch (FencedException e) {
            throw new AcmeException(AcmeException.Code.FORBIDDEN, "this node lost the Primary's role while ordering; nothing was stored");
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
        T get() throws SQLException, FencedException;
    }

    private static <T> T db(Sql<T> work) {
        try {
            return work.get();
        } catch (FencedException e) {
            throw new AcmeException(AcmeException.Code.FORBIDDEN, "this node lost the Primary's role while ordering; nothing was stored");
        } catch (SQLException e) {
            throw new AcmeException(AcmeException.Code.UNAVAILABLE, "the database: " + Issuer.oneLine(e.getMessage()), e);
        }
    }
}
