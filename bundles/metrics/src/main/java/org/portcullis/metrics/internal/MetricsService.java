package org.portcullis.metrics.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.portcullis.core.Gauge;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.policy.MessageListener;
import org.portcullis.policy.MessageRecord;
import org.portcullis.storage.Storage;

/** Runs {@link PortcullisMetrics}: told of every mail-log record, and the source of {@code /api/v1/metrics}. */
@Component(service = {MetricsService.class, MessageListener.class}, immediate = true)
public class MetricsService implements MessageListener {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MaintenanceMode maintenance;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Storage storage;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configAdmin;

    private final java.util.Map<Gauge, Object> offered = new java.util.concurrent.ConcurrentHashMap<>();
    private PortcullisMetrics metrics;

    @Activate
    void activate() {
        metrics = new PortcullisMetrics(new PortcullisMetrics.Sources(() -> {
            MaintenanceMode m = maintenance;
            return m == null ? Double.NaN : m.isActive() ? 1 : 0;
        }, () -> {
            Storage s = storage;
            return s == null ? null : s.status();
        }, PortcullisMetrics::milterConnections, () -> configured("org.portcullis.milter", "spool.directory", "spool"),
                () -> configured("org.portcullis.backup", "directory", "backups")));
        offered.keySet().forEach(metrics::offer);
    }

    /** The directory the owning bundle is configured with ({@code key} of {@code pid}), else its default under the data directory. */
    private Path configured(String pid, String key, String fallback) {
        ConfigurationAdmin cm = configAdmin;
        try {
            Configuration c = cm == null ? null : cm.getConfiguration(pid, null);
            Object value = c == null || c.getProperties() == null ? null : c.getProperties().get(key);
            if (value != null && !value.toString().isBlank()) {
                return Paths.get(value.toString().strip());
            }
        } catch (IOException e) {
            // the default below
        }
        return Paths.get(System.getProperty("karaf.data", "data"), "portcullis", fallback);
    }

    /** A gauge another bundle offers (the ACME bundle's certificate expiry, for one). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGauge(Gauge gauge) {
        offered.put(gauge, Boolean.TRUE);
        PortcullisMetrics m = metrics;
        if (m != null) {
            m.offer(gauge);
        }
    }

    void removeGauge(Gauge gauge) {
        offered.remove(gauge);
        PortcullisMetrics m = metrics;
        if (m != null) {
            m.withdraw(gauge);
        }
    }

    @Override
    public void message(MessageRecord record) {
        metrics.record(record);
    }

    public PortcullisMetrics metrics() {
        return metrics;
    }
}
