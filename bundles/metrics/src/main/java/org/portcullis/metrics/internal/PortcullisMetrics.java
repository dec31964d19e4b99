package org.portcullis.metrics.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.portcullis.core.Gauge;
import org.portcullis.policy.MessageRecord;
import org.portcullis.storage.StorageStatus;

/**
 * The figures Prometheus scrapes, on a registry of their own (Prometheus's Java client, whose
 * bundles carry OSGi headers). Messages, decision latency, scanner calls and list decisions are
 * counted from the milter's {@link MessageRecord}s; connections, spool bytes, storage, the newest
 * backup, maintenance and the JVM are read when scraped. Thread-safe.
 */
public final class PortcullisMetrics {

    static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PortcullisMetrics.class);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
    private final Counter messages;
    private final Histogram decision;
    private final Counter scannerCalls;
    private final Histogram scannerSeconds;
    private final Counter lists;
    private final Sources sources;

    /** Where the gauges read their values; each may answer NaN when it cannot say. */
    public record Sources(DoubleSupplier maintenance, Supplier<StorageStatus> storage, DoubleSupplier connections, Supplier<Path> spool,
            Supplier<Path> backups) {
    }

    public PortcullisMetrics(Sources sources) {
        this.sources = sources;
        messages = Counter.builder().name("portcullis_messages").help("Messages (and recipients refused at RCPT, messages refused at MAIL) by "
                + "verdict and by where they were decided").labelNames("verdict", "stage").withoutExemplars().register(registry);
        decision = Histogram.builder().name("portcullis_decision_seconds").help("From end of message to the milter's answer")
                .classicOnly().classicUpperBounds(SECONDS).withoutExemplars().register(registry);
        scannerCalls = Counter.builder().name("portcullis_scanner_calls").help("Scanner calls by scanner and result (clean, infected, spam, "
                + "suspicious, failed)").labelNames("scanner", "result").withoutExemplars().register(registry);
        scannerSeconds = Histogram.builder().name("portcullis_scanner_seconds").help("Time each scanner took per message").labelNames("scanner")
                .classicOnly().classicUpperBounds(SECONDS).withoutExemplars().register(registry);
        lists = Counter.builder().name("portcullis_list_decisions").help("Messages an Allow or Block list entry decided, by list")
                .labelNames("list").withoutExemplars().register(registry);
        gauge("portcullis_maintenance", "1 while maintenance mode is on (new mail gets 4xx)", sources.maintenance());
        gauge("portcullis_milter_connections", "Milter connections open now", sources.connections());
        gauge("portcullis_spool_bytes", "Bytes of message spool files on disk now", () -> bytes(sources.spool().get(), ".spool"));
        gauge("portcullis_backup_newest_timestamp_seconds", "When the newest backup in the backup directory was written (Unix time)",
                () -> newest(sources.backups().get()));
        gauge("portcullis_storage_reachable", "1 when the last check reached the database", () -> {
            StorageStatus s = sources.storage().get();
            return s == null ? Double.NaN : s.reachable() ? 1 : 0;
        });
        GaugeWithCallback.builder().name("portcullis_storage_pool_connections").help("Database pool connections by state")
                .labelNames("state").callback(cb -> {
                    StorageStatus s = sources.storage().get();
                    if (s != null) {
                        cb.call(s.pool().active(), "active");
                        cb.call(s.pool().idle(), "idle");
                        cb.call(s.pool().waiting(), "waiting");
                        cb.call(s.pool().max(), "max");
                    }
                }).register(registry);
        JvmMetrics.builder().register(registry);
    }

    /** Counts one record of the mail log. */
    public void record(MessageRecord r) {
        messages.labelValues(r.verdict().id(), r.stage()).inc();
        if ("end".equals(r.stage())) {
            decision.observe(r.millis() / 1000.0);
        }
        for (String s : r.scanners()) {
            // name:result:NNms, where the result may itself hold colons (a reason)
            int first = s.indexOf(':');
            int last = s.lastIndexOf(':');
            if (first > 0 && last > first && s.endsWith("ms")) {
                String name = s.substring(0, first);
                String result = s.substring(first + 1, last);
                int paren = result.indexOf('(');
                scannerCalls.labelValues(name, paren > 0 ? result.substring(0, paren) : result).inc();
                try {
                    scannerSeconds.labelValues(name).observe(Long.parseLong(s.substring(last + 1, s.length() - 2)) / 1000.0);
                } catch (NumberFormatException ignored) {
                    // not a time: counted, not timed
                }
            }
        }
        if (!r.list().isEmpty()) {
            lists.labelValues(r.list().startsWith("block") ? "block" : "allow").inc();
        }
    }

    /** Everything, in Prometheus's text format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            text.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A scanner's figures since the bundle started: calls by result, and the mean time. */
    public record ScannerStatus(String name, long calls, Map<String, Long> results, double meanMillis) {
    }

    /**
     * The same figures at a glance ({@code GET /api/v1/system/status}): counts since the bundle
     * started by verdict, by scanner and by list, and the gauges as they are now.
     */
    public record Status(long messages, Map<String, Long> verdicts, Map<String, Long> refusedEarly,
            double decisionMeanMillis, List<ScannerStatus> scanners, Map<String, Long> lists, double milterConnections,
            double spoolBytes, Boolean storageReachable, double newestBackupEpochSeconds, Boolean maintenance) {
    }

    /** {@link Status} from the counters and gauges this registry holds. */
    public Status status() {
        Map<String, Long> verdicts = new TreeMap<>();
        Map<String, Long> early = new TreeMap<>();
        long total = 0;
        for (var d : messages.collect().getDataPoints()) {
            long n = (long) d.getValue();
            String verdict = d.getLabels().get("verdict");
            if ("end".equals(d.getLabels().get("stage"))) {
                verdicts.merge(verdict, n, Long::sum);
                total += n;
            } else {
                early.merge(d.getLabels().get("stage") + ":" + verdict, n, Long::sum);
            }
        }
        var h = decision.collect().getDataPoints();
        double decisionMean = h.isEmpty() || h.get(0).getCount() == 0 ? 0 : h.get(0).getSum() * 1000 / h.get(0).getCount();
        Map<String, Map<String, Long>> calls = new TreeMap<>();
        for (var d : scannerCalls.collect().getDataPoints()) {
            calls.computeIfAbsent(d.getLabels().get("scanner"), k -> new TreeMap<>()).put(d.getLabels().get("result"), (long) d.getValue());
        }
        Map<String, Double> means = new HashMap<>();
        for (var d : scannerSeconds.collect().getDataPoints()) {
            means.put(d.getLabels().get("scanner"), d.getCount() == 0 ? 0 : d.getSum() * 1000 / d.getCount());
        }
        List<ScannerStatus> scanners = new ArrayList<>();
        calls.forEach((name, results) -> scanners.add(new ScannerStatus(name, results.values().stream().mapToLong(Long::longValue).sum(),
                results, means.getOrDefault(name, 0.0))));
        Map<String, Long> listCounts = new TreeMap<>();
        for (var d : lists.collect().getDataPoints()) {
            listCounts.put(d.getLabels().get("list"), (long) d.getValue());
        }
        StorageStatus storage = sources.storage().get();
        double m = sources.maintenance().getAsDouble();
        return new Status(total, verdicts, early, decisionMean, scanners, listCounts, sources.connections().getAsDouble(),
                bytes(sources.spool().get(), ".spool"), storage == null ? null : storage.reachable(), newest(sources.backups().get()),
                Double.isNaN(m) ? null : m == 1);
    }

    /** The text format's content type. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private GaugeWithCallback gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback g = GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            double v = value.getAsDouble();
            if (!Double.isNaN(v)) {
                cb.call(v);
            }
        }).build();
        registry.register(g);
        return g;
    }

    private final java.util.Map<Gauge, GaugeWithCallback> offered = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Shows a gauge another bundle offers; a name that is not {@code portcullis_[a-z0-9_]+} or is
     * taken already is left out (logged), so one bundle cannot break the scrape.
     */
    public void offer(Gauge g) {
        String name = g.name();
        if (name == null || !name.matches("portcullis_[a-z0-9_]+")) {
            LOG.warn("Metrics: gauge '{}' left out: its name is not portcullis_ followed by a-z, 0-9, _", name);
            return;
        }
        try {
            offered.put(g, gauge(name, g.help(), () -> {
                try {
                    return g.value();
                } catch (RuntimeException e) {
                    return Double.NaN;
                }
            }));
        } catch (IllegalArgumentException e) {
            LOG.warn("Metrics: gauge '{}' left out: {}", name, e.getMessage());
        }
    }

    /** Stops showing an offered gauge. */
    public void withdraw(Gauge g) {
        GaugeWithCallback shown = offered.remove(g);
        if (shown != null) {
            registry.unregister(shown);
        }
    }

    /** The milter's open connections, from its MBean (0 when the milter is not running). */
    public static double milterConnections() {
        try {
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("org.portcullis:type=Milter");
            return jmx.isRegistered(name) ? ((Number) jmx.getAttribute(name, "OpenConnections")).doubleValue() : 0;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    static double bytes(Path dir, String suffix) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    static double newest(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return Double.NaN;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pcbk")).mapToLong(f -> f.toFile().lastModified()).max()
                    .stream().mapToDouble(ms -> ms / 1000.0).findFirst().orElse(Double.NaN);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

}
