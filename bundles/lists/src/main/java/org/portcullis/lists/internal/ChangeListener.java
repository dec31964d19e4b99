package org.portcullis.lists.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index current: {@code LISTEN portcullis_lists} on a connection of its own (the
 * table's trigger notifies on every change, on any node), reloading on each notification, after
 * every (re)connect, and every {@code fullReload} in any case. One daemon thread; a lost
 * connection is retried every second. The first load happens once {@code LISTEN} is in place,
 * so no change made while it runs is missed, and {@link #start} waits for it: the index is
 * loaded once at start-up, not once by the service and again by the listener.
 */
final class ChangeListener implements AutoCloseable {

    static final String CHANNEL = "portcullis_lists";
    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);

    private final DataSource ds;
    private final Runnable reload;
    private final Duration fullReload;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection current;
    private final java.util.concurrent.CountDownLatch firstPass = new java.util.concurrent.CountDownLatch(1);

    ChangeListener(DataSource ds, Runnable reload, Duration fullReload) {
        this.ds = ds;
        this.reload = reload;
        this.fullReload = fullReload;
        this.thread = new Thread(this::run, "portcullis-lists-listener");
        thread.setDaemon(true);
    }

    /** Starts listening and returns once the first load has run (or the first connection attempt failed). */
    ChangeListener start() {
        thread.start();
        try {
            firstPass.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    private void run() {
        while (running) {
            try (Connection c = ds.getConnection()) {
                current = c;
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                reload.run(); // everything, the first time; whatever changed while nobody listened, after that
                firstPass.countDown();
                PGConnection pg = c.unwrap(PGConnection.class);
                long last = System.nanoTime();
                while (running) {
                    PGNotification[] n = pg.getNotifications(500);
                    if ((n != null && n.length > 0) || System.nanoTime() - last > fullReload.toNanos()) {
                        reload.run();
                        last = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                firstPass.countDown(); // the service starts with an empty index, as a failed load leaves it
                if (running) {
                    LOG.warn("List change listener lost its database connection ({}); retrying in 1 s", e.getMessage());
                    sleep();
                }
            } finally {
                current = null;
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = current;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing to wake the thread
            }
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
