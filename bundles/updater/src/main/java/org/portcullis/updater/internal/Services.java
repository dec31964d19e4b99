package org.portcullis.updater.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Services looked up when they are used, not bound once: an update replaces the bundles that
 * provide them (and this one), so what was bound before a step may be gone after it.
 */
final class Services {

    /** Thrown when the component that runs the update was stopped: its successor carries on. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the updater component was stopped; the next one carries on from the journal");
        }
    }

    private final BundleContext context;
    private final BooleanSupplier active;

    Services(BundleContext context, BooleanSupplier active) {
        this.context = context;
        this.active = active;
    }

    /** Throws {@link Stopped} once this component is no longer the one that runs the update. */
    void checkActive() {
        if (!active.getAsBoolean()) {
            throw new Stopped();
        }
    }

    /** The service, waiting up to {@code wait} for it; fails naming it. */
    <T> T await(Class<T> type, Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            checkActive();
            try {
                ServiceReference<T> ref = context.getServiceReference(type);
                if (ref != null) {
                    T service = context.getService(ref);
                    if (service != null) {
                        return service;
                    }
                }
            } catch (IllegalStateException e) {
                throw new Stopped(); // our bundle context is gone
            }
            if (System.nanoTime() > end) {
                throw new UpdateFailure("no " + type.getSimpleName() + " service within " + wait.toSeconds() + " s");
            }
            sleep(200);
        }
    }

    /** Waits until {@code condition} holds; fails with {@code what} after {@code wait}. */
    void until(String what, Duration wait, BooleanSupplier condition) {
        until(() -> what, wait, condition);
    }

    /** As above, with {@code what} made when the wait fails (so it can say what is still missing then). */
    void until(java.util.function.Supplier<String> what, Duration wait, BooleanSupplier condition) {
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            checkActive();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new UpdateFailure(what.get() + " did not happen within " + wait.toSeconds() + " s");
            }
            sleep(250);
        }
    }

    BundleContext context() {
        return context;
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
    }

    /** A step failed; the message is the one line the log and the journal keep. */
    static final class UpdateFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UpdateFailure(String message) {
            super(message);
        }

        UpdateFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
