package org.portcullis.milter.internal.server;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections closed because the limit was reached, told to the log at most once a minute (a
 * flood of connections must not become a flood of log lines), with how many were refused since
 * the last line.
 */
final class ConnectionRefusals {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRefusals.class);
    private static final long EVERY_NANOS = 60_000_000_000L;

    private final int limit;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - EVERY_NANOS);

    ConnectionRefusals(int limit) {
        this.limit = limit;
    }

    void refused(SocketAddress from) {
        long count = refused.incrementAndGet();
        long last = lastLog.get();
        long now = System.nanoTime();
        if (now - last >= EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            refused.addAndGet(-count);
            LOG.warn("Milter connection from {} closed: {} connections are open, the limit (max.connections in "
                    + "etc/org.portcullis.milter.cfg); {} refused since the last such line", from, limit, count);
        }
    }
}
