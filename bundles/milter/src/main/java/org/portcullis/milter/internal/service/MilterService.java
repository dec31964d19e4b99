package org.portcullis.milter.internal.service;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

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
import org.portcullis.core.MaintenanceMode;
import org.portcullis.milter.internal.codec.MilterProtocol;
import org.portcullis.milter.internal.pipeline.MilterStats;
import org.portcullis.milter.internal.pipeline.PipelineFilter;
import org.portcullis.milter.internal.pipeline.ScanRunner;
import org.portcullis.milter.internal.pipeline.VerdictPolicy;
import org.portcullis.milter.internal.server.MilterServer;
import org.portcullis.milter.internal.session.Limits;
import org.portcullis.milter.internal.session.MailLog;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.SessionSettings;
import org.portcullis.milter.internal.spool.MessageSpool;
import org.portcullis.policy.ListPolicy;
import org.portcullis.policy.MessageHold;
import org.portcullis.policy.MessageListener;
import org.portcullis.policy.MessageRecord;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.Scanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the milter server with the pipeline behind it. Scanners are a whiteboard: every
 * {@link MessageScanner} and {@link PartScanner} service is used from the next message on, and a
 * scanner that goes away is no longer used for new messages while messages in flight finish with
 * the scanners they started with. The Allow/Block lists are whichever {@link ListPolicy} service
 * is registered (at most one is used). A configuration change restarts the server.
 */
@Component(immediate = true, service = {}, configurationPid = "org.portcullis.milter")
@Designate(ocd = MilterConfig.class)
public class MilterService {

    /** Actions asked of the MTA: verdict headers, and the hold queue for quarantine. */
    static final int ACTIONS = MilterProtocol.ACTION_ADD_HEADERS | MilterProtocol.ACTION_CHANGE_HEADERS
            | MilterProtocol.ACTION_QUARANTINE;
    /** Steps: no replies where Portcullis never decides, so the MTA does not wait for them. */
    static final int STEPS = MilterProtocol.NO_REPLY_CONNECT | MilterProtocol.NO_REPLY_HELO | MilterProtocol.NO_REPLY_DATA
            | MilterProtocol.NO_REPLY_HEADER | MilterProtocol.NO_REPLY_EOH | MilterProtocol.NO_REPLY_BODY
            | MilterProtocol.NO_REPLY_UNKNOWN;

    private static final Logger LOG = LoggerFactory.getLogger(MilterService.class);

    @Reference
    private MaintenanceMode maintenance;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<MessageScanner> messageScanners = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<PartScanner> partScanners = List.of();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ListPolicy lists;

    /** Where held mail goes (the quarantine bundle); without one, the MTA's hold queue keeps it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MessageHold quarantine;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<MessageListener> messageListeners = List.of();

    private ExecutorService workers;
    private ScheduledExecutorService timer;
    private MilterServer server;
    private ServiceRegistration<?> status;

    @Activate
    void activate(BundleContext context, MilterConfig config) throws Exception {
        Path spool = config.spool_directory().isBlank()
                ? Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "spool")
                : Paths.get(config.spool_directory());
        int leftovers = MessageSpool.removeLeftovers(spool);
        if (leftovers > 0) {
            LOG.info("Removed {} spool files left by an earlier run in {}", leftovers, spool);
        }
        workers = Executors.newFixedThreadPool(Math.max(1, config.scan_threads()), named("portcullis-scan"));
        java.util.concurrent.ScheduledThreadPoolExecutor deadlines = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                named("portcullis-scan-deadlines"));
        // a scan that answers in time cancels its deadline: take it out of the queue then, not when it would have fired
        deadlines.setRemoveOnCancelPolicy(true);
        timer = deadlines;
        ScanRunner runner = new ScanRunner(workers, timer);
        VerdictPolicy policy = new VerdictPolicy(config.spam_tag_score(), config.spam_quarantine_score(), Set.of(config.fail_open()));
        MilterStats stats = new MilterStats();
        Limits limits = new Limits(config.max_connections(), config.max_frame_bytes(), Duration.ofSeconds(config.frame_timeout_seconds()),
                config.max_macro_bytes(), config.max_header_bytes(), config.max_message_bytes());
        SessionSettings settings = new SessionSettings(limits, spool, config.spool_memory_bytes(), ACTIONS, STEPS,
                Duration.ofSeconds(config.idle_timeout_seconds()), Duration.ofSeconds(config.progress_interval_seconds()), this::record);
        Supplier<MilterFilter> filters = () -> new PipelineFilter(maintenance::isActive, this::scanners, () -> lists, runner,
                () -> policy, workers, spool, config.spool_memory_bytes(), stats, () -> quarantine);
        String socket = config.socket().trim();
        try {
            server = socket.isEmpty() ? MilterServer.start(new InetSocketAddress(config.address(), config.port()), settings, filters)
                    : MilterServer.startUnix(Paths.get(socket), socketMode(config.socket_mode()), settings, filters);
        } catch (Exception e) {
            stopPools();
            LOG.error("Milter cannot listen on {} ({}); set {} in etc/org.portcullis.milter.cfg",
                    socket.isEmpty() ? config.address() + ":" + config.port() : "unix:" + socket, e.getMessage(),
                    socket.isEmpty() ? "address and port" : "socket");
            throw e;
        }
        LOG.info("Milter listening on {} ({})", server.endpoint(), server.transport());
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("jmx.objectname", MilterStatus.OBJECT_NAME);
        status = context.registerService(new String[] {MilterStatus.class.getName(), MilterStatusMBean.class.getName()},
                new MilterStatus(server, stats, this::scanners), props);
    }

    /** An octal mode such as {@code 0660} as permissions. */
    static Set<PosixFilePermission> socketMode(String octal) {
        String m = octal.trim();
        if (!m.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("socket.mode '" + octal + "' is not an octal mode such as 0660");
        }
        int bits = Integer.parseInt(m, 8);
        Set<PosixFilePermission> out = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(order[i]);
            }
        }
        return out;
    }

    @Deactivate
    void deactivate() {
        if (status != null) {
            status.unregister();
        }
        if (server != null) {
            server.close();
        }
        stopPools();
    }

    /** One message's record: to the mail log, then to every {@link MessageListener} (tracking, metrics). */
    private void record(MessageRecord r) {
        MailLog.SLF4J.accept(r);
        for (MessageListener l : messageListeners) {
            try {
                l.message(r);
            } catch (RuntimeException e) {
                LOG.warn("Message listener {} failed on {}: {}", l.getClass().getName(), r.queueId(), e.toString());
            }
        }
    }

    /** The scanners present now, message scanners first. */
    List<Scanner> scanners() {
        List<Scanner> all = new ArrayList<>(messageScanners);
        all.addAll(partScanners);
        return all;
    }

    private void stopPools() {
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
