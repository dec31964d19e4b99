package org.portcullis.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.auth.Account;
import org.portcullis.auth.Role;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.quarantine.QuarantineQuery;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.MessageParts;
import org.portcullis.scanner.PartScanner;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox: registers its gate ({@link SandboxGate}) on the mail path, and on the cluster's
 * Primary looks for held {@code sandbox} mail every {@code poll.seconds}. Each message's
 * attachments go to every analyser at once ({@link AnalysisRunner}); then the message is released
 * (all clean), kept held (malicious, with its findings), or retried with back-off (a failure);
 * after {@code max.failures} failures it is released unanalysed. A mail-log line records each end.
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = SandboxService.SCHEMA)
@Component(service = SandboxService.class, immediate = true, configurationPid = "org.portcullis.sandbox")
@Designate(ocd = SandboxConfig.class)
public class SandboxService {

    static final String SCHEMA = "sandbox";
    static final String JOB = "sandbox.analysis";

    /** Who the sandbox releases as, in the quarantine's records. */
    static final Account SYSTEM = new Account("sandbox", Role.ADMIN, new TreeSet<>(), Set.of(), Instant.EPOCH);

    private static final Logger LOG = LoggerFactory.getLogger(SandboxService.class);
    private static final Logger MAIL = LoggerFactory.getLogger("portcullis.mail");
    private static final long RETRY_CAP_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** Messages handled at once: their releases are SMTP sessions and database transactions that wait, not compute. */
    static final int MESSAGES_AT_ONCE = 4;
    /** Analyses taken per look; a full batch is followed by the next at once. */
    static final int BATCH = 50;

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    @Reference
    private Quarantine quarantine;

    @Reference
    private MessageParts parts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterRole cluster;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private final List<SandboxAnalyzer> added = new CopyOnWriteArrayList<>();

    private Supplier<ClusterRole> role = () -> ClusterRole.SINGLE_NODE;
    private SandboxStore store;
    private AnalysisRunner runner;
    private List<SandboxAnalyzer> builtIn = List.of();
    private int maxFailures;
    private long retryMillis;
    private ExecutorService pool;
    /** Messages analysed and released at once (each one's analyses go to {@link #pool}). */
    private ExecutorService messages;
    private ScheduledExecutorService timer;
    /** The analyses' deadlines: a thread of their own, never busy with a look (which waits for analyses). */
    private ScheduledExecutorService watchdog;
    private ServiceRegistration<PartScanner> gate;

    @Activate
    void activate(BundleContext context, SandboxConfig config) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        role = () -> ClusterRole.orSingleNode(cluster, context);
        start(new SandboxStore(ds), quarantine, parts, config);
        SandboxGate.Hold hold = hold(config.hold());
        if (hold != SandboxGate.Hold.OFF) {
            gate = context.registerService(PartScanner.class, new SandboxGate(hold), null);
        }
        int every = Math.max(1, config.poll_seconds());
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.SECONDS);
    }

    /** Everything but the gate and the schedule (also for tests). */
    void start(SandboxStore store, Quarantine quarantine, MessageParts parts, SandboxConfig config) {
        this.store = store;
        this.quarantine = quarantine;
        this.parts = parts;
        this.maxFailures = Math.max(1, config.max_failures());
        this.retryMillis = TimeUnit.SECONDS.toMillis(Math.max(0, config.retry_seconds()));
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(Math.max(1, config.threads()), r -> daemon(r, "portcullis-sandbox-" + n.incrementAndGet()));
        messages = Executors.newFixedThreadPool(MESSAGES_AT_ONCE, r -> daemon(r, "portcullis-sandbox-message-" + n.incrementAndGet()));
        timer = Executors.newScheduledThreadPool(1, r -> daemon(r, "portcullis-sandbox-timer"));
        watchdog = Executors.newScheduledThreadPool(1, r -> daemon(r, "portcullis-sandbox-deadlines"));
        runner = new AnalysisRunner(pool, Math.max(1, config.threads()), watchdog);
        Duration deadline = Duration.ofSeconds(Math.max(1, config.deadline_seconds()));
        builtIn = List.of(withDeadline(new TypeAnalyzer(), deadline), withDeadline(new ArchiveAnalyzer(new ArchiveAnalyzer.Limits(
                config.archive_max_depth(), config.archive_max_entries(), config.archive_max_bytes(), config.archive_max_ratio())), deadline),
                withDeadline(new PdfAnalyzer(Math.max(1, config.pdf_max_objects())), deadline),
                withDeadline(new MacroAnalyzer(Math.max(1, config.macro_max_bytes())), deadline));
    }

    @Deactivate
    void deactivate() {
        if (gate != null) {
            gate.unregister();
        }
        timer.shutdownNow();
        watchdog.shutdownNow();
        messages.shutdownNow();
        pool.shutdownNow();
    }

    /** Adds an analyser, as the whiteboard does (for tests). */
    void add(SandboxAnalyzer analyzer) {
        added.add(analyzer);
    }

    /** The built-in analysers, then every registered one. */
    List<SandboxAnalyzer> analyzers() {
        List<SandboxAnalyzer> all = new ArrayList<>(builtIn);
        all.addAll(added);
        return all;
    }

    /** One analysis as {@code sandbox:list} shows it. */
    public record Analysis(long message, String queueId, String state, int attempts, Instant nextTry, List<String> findings,
            String lastError) {
    }

    /** The analyses in {@code state} (null: all), most recently changed first. */
    public List<Analysis> analyses(String state, int limit) {
        String s = state == null || state.isBlank() ? null : state.trim().toLowerCase(java.util.Locale.ROOT);
        if (s != null && !List.of("pending", "clean", "malicious", "released-unanalysed", "gone").contains(s)) {
            throw new IllegalArgumentException("unknown state '" + state + "': one of pending, clean, malicious, released-unanalysed, gone");
        }
        return list(s, Math.max(1, limit));
    }

    /** The analysis of the held message {@code message}, if the sandbox has queued it. */
    public java.util.Optional<Analysis> analysis(long message) {
        try {
            return store.find(message);
        } catch (SQLException e) {
            throw new IllegalStateException("the sandbox's database: " + e.getMessage(), e);
        }
    }

    private List<Analysis> list(String state, int limit) {
        try {
            return store.list(state, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("the sandbox's database: " + e.getMessage(), e);
        }
    }

    static SandboxGate.Hold hold(String value) {
        try {
            return SandboxGate.Hold.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.error("Sandbox: hold = '{}' is not risky, attachments or off; holding risky mail", value);
            return SandboxGate.Hold.RISKY;
        }
    }

    /** A look now, on the thread the scheduled looks use (for tests). */
    java.util.concurrent.Future<?> lookNow() {
        return timer.submit(this::tick);
    }

    private void tick() {
        try {
            role.get().runAsPrimary(JOB, fence -> {
                while (cycle() == BATCH) {
                    // more are due: go on without waiting for the next look
                }
            });
        } catch (Exception e) {
            LOG.warn("Sandbox: held mail not analysed this time ({}); tried again in a moment", e.getMessage());
        }
    }

    /** One look: held sandbox mail not known yet is queued, and the analyses that are due run. Returns how many ran. */
    int cycle() throws SQLException, InterruptedException {
        for (HeldMessage m : quarantine.search(new QuarantineQuery(null, null, "sandbox", "held", null, null, 1000, null, null))) {
            store.enqueue(m.id(), m.queueId());
        }
        List<Long> due = store.due(BATCH);
        List<java.util.concurrent.Future<Void>> running = new ArrayList<>();
        for (long id : due) {
            running.add(messages.submit(() -> {
                analyse(id);
                return null;
            }));
        }
        for (java.util.concurrent.Future<Void> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("Sandbox: a held message was not handled this time ({}); tried again at the next look", e.getCause().toString());
            }
        }
        return due.size();
    }

    private void analyse(long id) throws SQLException, InterruptedException {
        HeldMessage m = quarantine.get(id, SYSTEM).orElse(null);
        if (m == null || m.recipients().stream().noneMatch(r -> r.state().equals("held"))) {
            store.finish(id, "gone", List.of(), "released, deleted or expired before its analysis");
            return;
        }
        AnalysisRunner.Result result;
        long start = System.nanoTime();
        try (InputStream content = quarantine.content(id); MessageParts.Parsed parsed = parts.parse(content)) {
            result = runner.run(parsed.parts(), analyzers());
        } catch (IOException | java.io.UncheckedIOException | QuarantineException e) {
            result = new AnalysisRunner.Result.Failed("the message could not be read: " + e.getMessage());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (result instanceof AnalysisRunner.Result.Malicious bad) {
            store.finish(id, "malicious", bad.findings(), "");
            log(m, "quarantine", "kept: " + bad.findings().get(0), millis);
        } else if (result instanceof AnalysisRunner.Result.Clean clean) {
            release(m, "clean", "released: every attachment analysed clean (" + clean.analyses() + " analyses)", millis);
        } else {
            String why = ((AnalysisRunner.Result.Failed) result).why();
            int failures = store.failed(id, why, retryMillis, RETRY_CAP_MILLIS);
            if (failures >= maxFailures) {
                release(m, "released-unanalysed", "released unanalysed after " + failures + " failed analyses: " + why, millis);
            } else {
                LOG.warn("Sandbox: analysis {} of message {} failed ({}); tried again later", failures, id, why);
            }
        }
    }

    private void release(HeldMessage m, String state, String reply, long millis) throws SQLException {
        try {
            quarantine.release(m.id(), Set.of(), SYSTEM);
            store.finish(m.id(), state, List.of(), "");
            log(m, "deliver", reply, millis);
        } catch (QuarantineException e) {
            // analysed, but the release could not go out now: try again, without counting a failed analysis
            store.later(m.id(), e.getMessage(), Math.max(retryMillis, 1000));
            LOG.warn("Sandbox: message {} analysed ({}) but not released: {}; tried again later", m.id(), state, e.getMessage());
        }
    }

    /** The mail-log line for the end of a sandbox analysis, in the mail log's own shape; {@code ms}: the analysis's wall time. */
    private static void log(HeldMessage m, String verdict, String reply, long millis) {
        String to = String.join(",", m.recipients().stream().map(HeldMessage.Recipient::address).toList());
        MAIL.info("{}: stage=sandbox quarantine={} from={} to={} msgid={} verdict={} reply=\"{}\" ms={}", m.queueId().isEmpty() ? "NOQUEUE"
                : m.queueId(), m.id(), m.sender().isEmpty() ? "<>" : m.sender(), to, m.messageId().isEmpty() ? "\"\"" : m.messageId(), verdict,
                reply.replace("\\", "\\\\").replace("\"", "\\\""), millis);
    }

    private static SandboxAnalyzer withDeadline(SandboxAnalyzer a, Duration deadline) {
        return new SandboxAnalyzer() {
            @Override
            public String name() {
                return a.name();
            }

            @Override
            public Duration deadline() {
                return deadline;
            }

            @Override
            public org.portcullis.sandbox.Finding analyze(org.portcullis.scanner.Part attachment) throws Exception {
                return a.analyze(attachment);
            }
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
