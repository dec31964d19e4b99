package org.portcullis.storage;

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
 * Keeps a copy of some tables current on every node: {@code LISTEN channel} on a connection of its
 * own (a trigger or the writer notifies on every change, on any node), calling {@code reload} on
 * each notification, after every (re)connect, and every {@code fullReload} in any case. One daemon
 * thread; a lost connection is retried every second. The first load happens once {@code LISTEN} is
 * in place, so no change made while it runs is missed, and {@link #start} waits for it: a copy is
 * loaded once at start-up, not once by its owner and again by the listener.
 */
public final class ChangeListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeListener.class);

    private final DataSource ds;
    private final String channel;
    private final Runnable reload;
    private final Duration fullReload;
    private final String what;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection current;
    private final java.util.concurrent.CountDownLatch firstPass = new java.util.concurrent.CountDownLatch(1);

    /**
     * @param channel the notification channel (an SQL identifier: letters, digits, '_')
     * @param what what is kept current, for the thread's name and the log (e.g. {@code lists})
     */
    public ChangeListener(DataSource ds, String channel, String what, Runnable reload, Duration fullReload) {
        if (!channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        this.ds = ds;
        this.channel = channel;
        this.reload = reload;
        this.fullReload = fullReload;
        this.what = what;
        this.thread = new Thread(this::run, "portcullis-" + what + "-listener");
        thread.setDaemon(true);
    }

    /** Starts listening and returns once the first load has run (or the first connection attempt failed). */
    public ChangeListener start() {
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
                    st.execute("LISTEN " + channel);
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
                    LOG.warn("The {} change listener lost its database connection ({}); retrying in 1 s", what, e.getMessage());
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
