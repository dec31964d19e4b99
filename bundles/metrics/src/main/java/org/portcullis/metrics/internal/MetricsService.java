package org.portcullis.metrics.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
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

    private PortcullisMetrics metrics;

    @Activate
    void activate() {
        metrics = new PortcullisMetrics(new PortcullisMetrics.Sources(() -> {
            MaintenanceMode m = maintenance;
            return m == null ? Double.NaN : m.isActive() ? 1 : 0;
        }, () -> {
            Storage s = storage;
            return s == null ? null : s.status();
        }, PortcullisMetrics::milterConnections, PortcullisMetrics.data("portcullis", "spool"),
                PortcullisMetrics.data("portcullis", "backups")));
    }

    @Override
    public void message(MessageRecord record) {
        metrics.record(record);
    }

    public PortcullisMetrics metrics() {
        return metrics;
    }
}
