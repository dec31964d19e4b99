package org.portcullis.milter.internal.service;

import java.net.InetSocketAddress;

import org.portcullis.milter.internal.pipeline.MilterStats;
import org.portcullis.milter.internal.server.MilterServer;

/** The running milter's state for {@code milter:status}, {@code milter:scanners} and JMX. */
public final class MilterStatus implements MilterStatusMBean {

    static final String OBJECT_NAME = "org.portcullis:type=Milter";

    private final MilterServer server;
    private final MilterStats stats;

    MilterStatus(MilterServer server, MilterStats stats) {
        this.server = server;
        this.stats = stats;
    }

    public MilterStats stats() {
        return stats;
    }

    @Override
    public String getAddress() {
        InetSocketAddress a = server.address();
        return a == null ? server.endpoint() : a.getHostString() + ":" + a.getPort();
    }

    @Override
    public String getTransport() {
        return server.transport();
    }

    @Override
    public int getOpenConnections() {
        return server.openConnections();
    }

    @Override
    public long getMessages() {
        return stats.messages();
    }

    @Override
    public long getAccepted() {
        return stats.count("accepted");
    }

    @Override
    public long getTagged() {
        return stats.count("tagged");
    }

    @Override
    public long getQuarantined() {
        return stats.count("quarantined");
    }

    @Override
    public long getRejected() {
        return stats.count("rejected");
    }

    @Override
    public long getTempfailed() {
        return stats.count("tempfailed");
    }

    @Override
    public long getMaintenanceRefusals() {
        return stats.count("maintenance");
    }

    @Override
    public long getErrors() {
        return stats.count("errors");
    }

    @Override
    public double getLatencyP50Millis() {
        return stats.latencyMillis(50);
    }

    @Override
    public double getLatencyP99Millis() {
        return stats.latencyMillis(99);
    }
}
