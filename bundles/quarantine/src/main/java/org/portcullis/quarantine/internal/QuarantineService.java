package org.portcullis.quarantine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
    private ScheduledExecutorService timer;

    @Activate
    void activate(BundleContext context, QuarantineConfig config) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        role = () -> ClusterRole.orSingleNode(cluster, context);
        start(new QuarantineStore(ds), new Reinjector(config.reinject_host(), config.reinject_port(), config.helo_name(),
                (int) TimeUnit.SECONDS.toMillis(Math.max(1, config.reinject_timeout_seconds()))), Duration.ofDays(Math.max(1, config.retention_days())));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-quarantine");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::expire, 1, 60, TimeUnit.MINUTES);
    }

    /** Uses {@code store} and {@code reinjector} (also for tests). */
    void start(QuarantineStore store, Reinjector reinjector, Duration retention) {
        this.store = store;
        this.reinjector = reinjector;
        this.retention = retention;
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
        return act(id, recipients, caller, true);
    }

    @Override
    public Outcome delete(long id, Set<String> recipients, Account caller) {
        return act(id, recipients, caller, false);
    }

    private Outcome act(long id, Set<String> wanted, Account caller, boolean release) {
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
                String reply = "";
                if (!chosen.isEmpty()) {
                    if (release) {
                        if (!m.hasContent()) {
                            throw new QuarantineException(QuarantineException.Code.INVALID, "message " + id
                                    + " has expired: its content is gone");
                        }
                        try (InputStream content = store.content(c, id)) {
                            reply = reinjector.send(m.sender(), chosen, content);
                        }
                    }
                    store.mark(c, id, chosen, release ? "released" : "deleted", caller.name(), reply);
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
