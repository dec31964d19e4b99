package org.portcullis.quarantine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.auth.Account;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.policy.MessageHold;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.quarantine.QuarantineQuery;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarantine: the milter's {@link MessageHold} (a held message committed before the MTA is
 * answered), and {@link Quarantine} for the commands and the API. A release goes out over SMTP
 * to the MTA's re-injection listener while the message's row is locked, so two releases of one
 * message never both send; a recipient is marked released in the same transaction, once the
 * listener has answered 250. Every release and delete is logged with who did it. Retention runs
 * hourly on the cluster's Primary.
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = QuarantineService.SCHEMA)
@Component(service = {Quarantine.class, MessageHold.class}, immediate = true, configurationPid = "org.portcullis.quarantine")
@Designate(ocd = QuarantineConfig.class)
public class QuarantineService implements Quarantine, MessageHold {

    static final String SCHEMA = "quarantine";
    static final String RETENTION_JOB = "quarantine.retention";
    static final String DIGEST_JOB = "quarantine.digest";

    private static final Logger LOG = LoggerFactory.getLogger(QuarantineService.class);

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterRole cluster;

    private Supplier<ClusterRole> role = () -> ClusterRole.SINGLE_NODE;
    private QuarantineStore store;
    private Reinjector reinjector;
    private Duration retention;
    private Digests.Settings digests;
    private volatile Signing signing;
    private ScheduledExecutorService timer;

    @Activate
    void activate(BundleContext context, QuarantineConfig config) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        role = () -> ClusterRole.orSingleNode(cluster, context);
        start(new QuarantineStore(ds), new Reinjector(config.reinject_host(), config.reinject_port(), config.helo_name(),
                (int) TimeUnit.SECONDS.toMillis(Math.max(1, config.reinject_timeout_seconds()))), Duration.ofDays(Math.max(1, config.retention_days())),
                digestSettings(config));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-quarantine");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::expire, 1, 60, TimeUnit.MINUTES);
        timer.scheduleWithFixedDelay(this::digest, 5, 60, TimeUnit.MINUTES);
    }

    /** Uses {@code store} and {@code reinjector} (also for tests). */
    void start(QuarantineStore store, Reinjector reinjector, Duration retention, Digests.Settings digests) {
        this.store = store;
        this.reinjector = reinjector;
        this.retention = retention;
        this.digests = digests;
    }

    static Digests.Settings digestSettings(QuarantineConfig config) {
        List<String> categories = new ArrayList<>();
        for (String c : config.digest_categories().split("[,\\s]+")) {
            if (!c.isBlank()) {
                String category = c.strip().toLowerCase(Locale.ROOT);
                if (!List.of("sandbox", "virus", "spam", "policy").contains(category)) {
                    throw new IllegalArgumentException("digest.categories: '" + c.strip() + "' is not sandbox, virus, spam or policy");
                }
                categories.add(category);
            }
        }
        // empty: this host's name, looked up when the first link is made (a lookup at start-up could wait on DNS)
        String base = config.link_base() == null ? "" : config.link_base().strip();
        if (!base.isEmpty() && !base.startsWith("https://") && !base.startsWith("http://")) {
            throw new IllegalArgumentException("link.base: '" + base + "' is not an http(s) address");
        }
        List<String> domains = java.util.Arrays.stream(config.digest_domains().split("[,\\s]+")).map(String::strip).filter(d -> !d.isEmpty())
                .toList();
        return new Digests.Settings(Duration.ofHours(Math.max(0, config.digest_hours())), categories, config.digest_from().strip(), base,
                Duration.ofDays(Math.max(1, config.link_days())), domains);
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public String hold(Held held, InputStream content) throws IOException {
        try {
            long id = store.hold(held, content);
            LOG.info("Quarantine: message {} (queue id {}) held for {}: {}", id, held.queueId(), String.join(",", held.recipients()),
                    held.reason());
            return Long.toString(id);
        } catch (SQLException e) {
            throw new IOException("the quarantine's database: " + e.getMessage(), e);
        }
    }

    /** Found within a scope, each message shows the recipients of that scope only (a user never learns the other addresses). */
    @Override
    public List<HeldMessage> search(QuarantineQuery query) {
        try {
            return store.search(query).stream().map(m -> only(m, r -> inScope(r.address(), query))).toList();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Optional<HeldMessage> get(long id, Account caller) {
        try (Connection c = store.dataSource().getConnection()) {
            return store.get(c, id, false).map(m -> only(m, r -> caller.covers(r.address()))).filter(m -> !m.recipients().isEmpty());
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static HeldMessage only(HeldMessage m, java.util.function.Predicate<HeldMessage.Recipient> keep) {
        return new HeldMessage(m.id(), m.held(), m.queueId(), m.messageId(), m.sender(), m.clientAddress(), m.category(), m.reason(),
                m.details(), m.size(), m.sha256(), m.hasContent(), m.recipients().stream().filter(keep).toList());
    }

    /** Whether {@code address} is inside the query's scope: its domains (and their subdomains), or its addresses; no scope: yes. */
    static boolean inScope(String address, QuarantineQuery q) {
        String a = address.toLowerCase(Locale.ROOT);
        String domain = a.substring(a.lastIndexOf('@') + 1);
        boolean domains = q.domains() == null || q.domains().stream().map(d -> d.toLowerCase(Locale.ROOT))
                .anyMatch(d -> domain.equals(d) || domain.endsWith("." + d));
        boolean addresses = q.addresses() == null || q.addresses().stream().anyMatch(x -> x.equalsIgnoreCase(a));
        return domains && addresses;
    }

    @Override
    public InputStream content(long id) {
        Connection c = null;
        try {
            c = store.dataSource().getConnection();
            c.setAutoCommit(false); // one snapshot for every chunk
            if (store.get(c, id, false).filter(HeldMessage::hasContent).isEmpty()) {
                throw new QuarantineException(QuarantineException.Code.NOT_FOUND, "no quarantined message " + id + " with its content");
            }
            Connection held = c;
            return new java.io.FilterInputStream(store.content(c, id)) {
                @Override
                public void close() throws IOException {
                    try {
                        held.rollback();
                        held.close();
                    } catch (SQLException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }
            };
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            if (e instanceof java.io.UncheckedIOException u) {
                throw new QuarantineException(QuarantineException.Code.UNAVAILABLE, u.getCause().getMessage(), u);
            }
            throw e instanceof SQLException s ? unavailable(s) : (RuntimeException) e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the call failed already; that is what the caller hears
            }
        }
    }

    @Override
    public Outcome release(long id, Set<String> recipients, Account caller) {
        return act(id, recipients, caller, true, null);
    }

    @Override
    public Outcome delete(long id, Set<String> recipients, Account caller) {
        return act(id, recipients, caller, false, null);
    }

    /** A check made under the message's row lock, before anything is sent (a release link's single use). */
    private interface Locked {
        void check(Connection c, HeldMessage m) throws SQLException;
    }

    @Override
    public HeldMessage linked(String token) {
        ReleaseLinks.Link link = links().check(token, Instant.now());
        try (Connection c = store.dataSource().getConnection()) {
            HeldMessage m = store.get(c, link.message(), false).map(x -> only(x, r -> r.address().equalsIgnoreCase(link.recipient())))
                    .filter(x -> !x.recipients().isEmpty())
                    .orElseThrow(() -> new QuarantineException(QuarantineException.Code.GONE, "this release link's message is no longer kept"));
            linkable(m);
            if (store.linkUsed(c, link.signature())) {
                throw usedAlready();
            }
            return m;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Outcome releaseLinked(String token) {
        ReleaseLinks.Link link = links().check(token, Instant.now());
        // the link's own account: its recipient's address, and the right of the message's category (checked below, under the lock)
        Account acting = new Account("release link for " + link.recipient(), Role.USER, new TreeSet<>(Set.of(link.recipient())),
                EnumSet.of(Right.QUARANTINE_RELEASE, Right.SANDBOX_RELEASE, Right.VIRUS_RELEASE), Instant.EPOCH);
        return act(link.message(), Set.of(link.recipient()), acting, true, (c, m) -> {
            linkable(m);
            if (!store.useLink(c, link.signature(), m.id(), link.recipient())) {
                throw usedAlready();
            }
        });
    }

    private void linkable(HeldMessage m) {
        if (!digests.categories().contains(m.category())) {
            throw new QuarantineException(QuarantineException.Code.FORBIDDEN, m.category() + " mail is released by an admin, not by a link");
        }
    }

    private static QuarantineException usedAlready() {
        return new QuarantineException(QuarantineException.Code.GONE, "this release link was used already");
    }

    /** What signs under the appliance's release key: the links, and the released copies' header (each for its own purpose). */
    private record Signing(ReleaseLinks links, ReleaseHeader header) {
    }

    /** The signers, made on first use from the key in the database (read once). */
    private Signing signing() {
        Signing s = signing;
        if (s == null) {
            byte[] key;
            try {
                key = store.key("release");
            } catch (SQLException e) {
                throw unavailable(e);
            }
            s = new Signing(new ReleaseLinks(key), new ReleaseHeader(key));
            signing = s;
        }
        return s;
    }

    private ReleaseLinks links() {
        return signing().links();
    }

    private ReleaseHeader releaseHeader() {
        return signing().header();
    }

    @Override
    public boolean releasedCopy(String header, String messageId, List<String> recipients) throws IOException {
        Optional<ReleaseHeader.Pass> pass;
        try {
            pass = releaseHeader().check(header, messageId);
        } catch (QuarantineException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (pass.isEmpty()) {
            return false;
        }
        long id = pass.get().message();
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                // a header is live only while its release is under way (its attempt row), and only for the recipients that
                // release is for: a header read from a delivered copy, or sent on to someone else, lets nothing through
                List<String> attempt = store.attemptRecipients(c, pass.get().nonce(), id);
                boolean ours = attempt != null && !recipients.isEmpty()
                        && recipients.stream().allMatch(r -> attempt.stream().anyMatch(a -> a.equalsIgnoreCase(r)));
                boolean first = ours && store.passRelease(c, pass.get().nonce(), id);
                c.commit();
                if (first) {
                    LOG.info("Quarantine: a copy released from message {} passed the milter again, for {}: not held again", id,
                            String.join(",", recipients));
                }
                return first;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("the quarantine's database: " + e.getMessage(), e);
        }
    }

    @Override
    public int sendDigests(boolean force) {
        if (digests.every().isZero() && !force) {
            return 0;
        }
        List<QuarantineStore.Listed> due;
        try {
            due = store.digestDue(digests.categories(), force ? Duration.ZERO : digests.every(), 100_000);
        } catch (SQLException e) {
            throw unavailable(e);
        }
        Map<String, List<QuarantineStore.Listed>> byRecipient = new LinkedHashMap<>();
        for (QuarantineStore.Listed l : due) {
            if (digests.digests(l.recipient())) {
                byRecipient.computeIfAbsent(l.recipient().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(l);
            }
        }
        int sent = 0;
        for (Map.Entry<String, List<QuarantineStore.Listed>> r : byRecipient.entrySet()) {
            try {
                digest(r.getKey(), r.getValue());
                sent++;
            } catch (QuarantineException | SQLException | IOException e) {
                // this recipient's digest waits for the next look; the others go on
                LOG.warn("Quarantine: the digest to {} was not sent: {}", r.getKey(), e.getMessage());
            }
        }
        return sent;
    }

    private void digest(String recipient, List<QuarantineStore.Listed> held) throws SQLException, IOException {
        Instant now = Instant.now();
        Instant expires = now.plus(digests.linkLife());
        List<QuarantineStore.Listed> listed = held.subList(0, Math.min(held.size(), Digests.MAX_ENTRIES));
        List<Digests.Entry> entries = new ArrayList<>();
        for (QuarantineStore.Listed l : listed) {
            String subject;
            try (Connection c = store.dataSource().getConnection(); InputStream content = store.content(c, l.message())) {
                subject = Digests.subject(content);
            }
            entries.add(new Digests.Entry(l, subject, digests.link(links().token(l.message(), l.recipient(), expires))));
        }
        byte[] mail = Digests.compose(digests, recipient, entries, held.size() - listed.size(), now, expires);
        String reply = reinjector.send(digests.from(), List.of(recipient), new java.io.ByteArrayInputStream(mail));
        store.digestSent(recipient, listed.get(listed.size() - 1).held());
        LOG.info("Quarantine: digest of {} held messages sent to {} ({})", entries.size(), recipient, reply);
    }

    void digest() {
        try {
            role.get().runAsPrimary(DIGEST_JOB, fence -> sendDigests(false));
        } catch (Exception e) {
            LOG.warn("Quarantine: digests not sent ({}); tried again in an hour", e.getMessage());
        }
    }

    private Outcome act(long id, Set<String> wanted, Account caller, boolean release, Locked locked) {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                // the row lock: a second release of this message waits here, then finds its recipients released
                HeldMessage m = store.get(c, id, true).filter(x -> x.recipients().stream().anyMatch(r -> caller.covers(r.address())))
                        .orElseThrow(() -> new QuarantineException(QuarantineException.Code.NOT_FOUND, "no quarantined message " + id));
                Right right = releaseRight(m.category(), caller);
                if (right == null) {
                    throw new QuarantineException(QuarantineException.Code.FORBIDDEN, "releasing or deleting " + m.category()
                            + " mail needs the right '" + rightFor(m.category()).id() + "'");
                }
                List<String> chosen = new ArrayList<>();
                List<String> unchanged = new ArrayList<>();
                for (HeldMessage.Recipient r : m.recipients()) {
                    boolean asked = wanted.isEmpty() ? caller.covers(r.address()) : contains(wanted, r.address());
                    if (!asked) {
                        continue;
                    }
                    if (!caller.covers(r.address())) {
                        throw new QuarantineException(QuarantineException.Code.FORBIDDEN, r.address() + " is outside your scope");
                    }
                    if (r.state().equals("held")) {
                        chosen.add(r.address());
                    } else {
                        unchanged.add(r.address() + " (" + r.state() + ")");
                    }
                }
                for (String w : wanted) {
                    if (m.recipients().stream().noneMatch(r -> r.address().equalsIgnoreCase(w))) {
                        throw new QuarantineException(QuarantineException.Code.INVALID, "message " + id + " has no recipient " + w);
                    }
                }
                if (locked != null) {
                    locked.check(c, m);
                }
                String reply = "";
                if (!chosen.isEmpty()) {
                    if (release) {
                        reply = send(c, m, chosen, caller);
                    } else {
                        store.mark(c, id, chosen, "deleted", caller.name(), reply);
                    }
                }
                c.commit();
                if (!chosen.isEmpty()) {
                    LOG.info("Quarantine: message {} {} for {} by {}{}", id, release ? "released" : "deleted", String.join(",", chosen),
                            caller.name(), reply.isEmpty() ? "" : " (" + reply + ")");
                }
                return new Outcome(chosen, unchanged, reply);
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new QuarantineException(QuarantineException.Code.UNAVAILABLE, "the quarantine's content: " + e.getMessage(), e);
        }
    }

    /**
     * Sends message {@code m} to {@code chosen} and marks them released in {@code c}'s transaction.
     * Recipients whose copy passed the milter in a release a dead node left unfinished are marked
     * without sending again. The attempt is committed before the copy goes out; a refusal deletes
     * it (nothing was delivered), an answer that never came leaves it for the next release to look at.
     */
    private String send(Connection c, HeldMessage m, List<String> chosen, Account caller) throws SQLException, IOException {
        long id = m.id();
        List<String> passed = store.passedBefore(c, id, chosen);
        String reply = "";
        if (!passed.isEmpty()) {
            reply = "delivered before: its copy passed the milter, then the releasing node stopped";
            store.mark(c, id, chosen.stream().filter(r -> passed.stream().anyMatch(p -> p.equalsIgnoreCase(r))).toList(), "released",
                    caller.name(), reply);
        }
        List<String> rest = chosen.stream().filter(r -> passed.stream().noneMatch(p -> p.equalsIgnoreCase(r))).toList();
        if (rest.isEmpty()) {
            return reply;
        }
        if (!m.hasContent()) {
            throw new QuarantineException(QuarantineException.Code.INVALID, "message " + id + " has expired: its content is gone");
        }
        // the copy carries a signed header: if it passes the milter again it is not held again, and its pass is recorded
        ReleaseHeader.Stamp stamp = releaseHeader().stamp(id, m.messageId());
        store.attempt(stamp.nonce(), id, rest);
        try (InputStream content = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(
                stamp.line().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)), store.content(c, id))) {
            reply = reinjector.send(m.sender(), rest, content);
        } catch (Reinjector.OutcomeUnknown e) {
            throw e; // the attempt stays: the next release finds out from its pass whether the copy got through
        } catch (IOException | RuntimeException e) {
            try {
                store.forget(stamp.nonce());
            } catch (SQLException f) {
                e.addSuppressed(f);
            }
            throw e;
        }
        store.mark(c, id, rest, "released", caller.name(), reply);
        store.finish(c, stamp.nonce());
        return reply;
    }

    /** The right releasing mail of {@code category} needs. */
    static Right rightFor(String category) {
        return switch (category) {
            case "virus" -> Right.VIRUS_RELEASE;
            case "sandbox" -> Right.SANDBOX_RELEASE;
            default -> Right.QUARANTINE_RELEASE;
        };
    }

    /** The right {@code caller} releases {@code category} with, or null: for the sandbox's mail {@code virus-release} serves too. */
    static Right releaseRight(String category, Account caller) {
        Right needed = rightFor(category);
        if (caller.has(needed)) {
            return needed;
        }
        return needed == Right.SANDBOX_RELEASE && caller.has(Right.VIRUS_RELEASE) ? Right.VIRUS_RELEASE : null;
    }

    private static boolean contains(Set<String> wanted, String address) {
        return wanted.stream().anyMatch(w -> w.toLowerCase(Locale.ROOT).equals(address.toLowerCase(Locale.ROOT)));
    }

    void expire() {
        try {
            role.get().runAsPrimary(RETENTION_JOB, fence -> {
                int n = store.expire(retention, fence);
                if (n > 0) {
                    LOG.info("Quarantine: {} messages held longer than {} days expired", n, retention.toDays());
                }
            });
        } catch (Exception e) {
            LOG.warn("Quarantine: retention not run ({}); tried again in an hour", e.getMessage());
        }
    }

    private static QuarantineException unavailable(SQLException e) {
        return new QuarantineException(QuarantineException.Code.UNAVAILABLE, "the quarantine's database: " + e.getMessage(), e);
    }
}
