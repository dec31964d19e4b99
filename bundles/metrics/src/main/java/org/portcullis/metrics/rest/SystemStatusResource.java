package org.portcullis.metrics.rest;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Right;
import org.portcullis.core.ProductInfo;
import org.portcullis.metrics.internal.MetricsService;
import org.portcullis.metrics.internal.PortcullisMetrics;
import org.portcullis.rest.Api;
import org.portcullis.rest.RequiresRight;

/**
 * {@code GET /system/status}: the metrics at a glance, as JSON (what rspamd's {@code /stat} is
 * to its Prometheus output), for the same right {@code metrics}.
 */
@Component(service = SystemStatusResource.class, property = {Api.RESOURCE})
@Path("system/status")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRight(Right.METRICS)
public class SystemStatusResource {

    /**
     * @param messages messages decided at end of message since the metrics bundle started
     * @param verdicts those by verdict
     * @param refusedEarly recipients refused at RCPT and messages refused at MAIL, as {@code stage:verdict}
     * @param newestBackup when the newest backup in the backup directory was written, or null
     * @param storageReachable null while the storage service is absent
     */
    public record Status(String product, String version, String started, long uptimeSeconds, Boolean maintenance, long messages,
            Map<String, Long> verdicts, Map<String, Long> refusedEarly, double decisionMeanMillis, List<PortcullisMetrics.ScannerStatus> scanners,
            Map<String, Long> lists, long milterConnections, long spoolBytes, Boolean storageReachable, String newestBackup) {
    }

    @Reference
    private MetricsService service;

    @Reference
    private ProductInfo product;

    @GET
    public Status status() {
        PortcullisMetrics.Status s = service.metrics().status();
        long startedMs = ManagementFactory.getRuntimeMXBean().getStartTime();
        return new Status("Portcullis", product.version(), Instant.ofEpochMilli(startedMs).toString(),
                (System.currentTimeMillis() - startedMs) / 1000, s.maintenance(), s.messages(), s.verdicts(), s.refusedEarly(),
                Math.round(s.decisionMeanMillis() * 100) / 100.0, s.scanners(), s.lists(), whole(s.milterConnections()),
                whole(s.spoolBytes()), s.storageReachable(),
                Double.isNaN(s.newestBackupEpochSeconds()) ? null : Instant.ofEpochMilli((long) (s.newestBackupEpochSeconds() * 1000)).toString());
    }

    private static long whole(double v) {
        return Double.isNaN(v) ? -1 : (long) v;
    }
}
