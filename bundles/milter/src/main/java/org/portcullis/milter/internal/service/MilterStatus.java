package org.portcullis.milter.internal.service;

import java.net.InetSocketAddress;

import org.portcullis.milter.internal.pipeline.MilterStats;
import org.portcullis.milter.internal.server.MilterServer;
import org.portcullis.scanner.Scanner;

/** The running milter's state for {@code milter:status}, {@code milter:scanners} and JMX. */
public final class MilterStatus implements MilterStatusMBean {

    static final String OBJECT_NAME = "org.portcullis:type=Milter";

    private final MilterServer server;
    private final MilterStats stats;
    private final java.util.function.Supplier<java.util.List<Scanner>> scanners;

    MilterStatus(MilterServer server, MilterStats stats, java.util.function.Supplier<java.util.List<Scanner>> scanners) {
        this.server = server;
        this.stats = stats;
        this.scanners = scanners;
    }

    public MilterStats stats() {
        return stats;
    }

    /** The scanners installed now (each new message uses these). */
    public java.util.List<Scanner> scanners() {
        return scanners.get();
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
        return stats.count("deliver");
    }

    @Override
    public long getTagged() {
        return stats.count("tag");
    }

    @Override
    public long getQuarantined() {
        return stats.count("quarantine");
    }

    @Override
    public long getRejected() {
        return stats.count("reject");
    }

    @Override
    public long getTempfailed() {
        return stats.count("tempfail");
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
