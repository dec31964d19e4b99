package org.portcullis.updater.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.portcullis.updater.internal.Services.UpdateFailure;
import org.portcullis.updater.spi.ControlledService;

/**
 * Stops the registered {@link ControlledService}s in their order before the OS step and starts
 * them again in the reverse order, after the database committed or on a rollback. Each name
 * goes into the journal before its stop is asked for, so whatever happens next (a failure, a
 * kill), the ones that may be stopped are started again.
 */
final class ServiceSteps {

    private static final String STOPPED = "services.stopped";
    private static final String STARTED = "services.started";

    private final Services services;
    private final Journal journal;
    private final UpdateLog log;
    private final Runnable save;
    private final Duration wait;

    ServiceSteps(Services services, Journal journal, UpdateLog log, Runnable save, Duration wait) {
        this.services = services;
        this.journal = journal;
        this.log = log;
        this.save = save;
        this.wait = wait;
    }

    void stop() {
        List<String> stopped = names(STOPPED);
        for (ControlledService s : controlled(services)) {
            if (!stopped.contains(s.name())) {
                stopped.add(s.name());
                journal.set(STOPPED, String.join(",", stopped));
                save.run();
            }
            log.line(" * Stopping " + s.name());
            try {
                s.stop();
            } catch (Exception e) {
                throw new UpdateFailure("service " + s.name() + " did not stop: " + reason(e), e);
            }
        }
    }

    /** Starts, last stopped first, every service the update stopped and has not started again. */
    void start() {
        List<String> stopped = names(STOPPED);
        List<String> started = names(STARTED);
        for (int i = stopped.size() - 1; i >= 0; i--) {
            String name = stopped.get(i);
            if (started.contains(name)) {
                continue;
            }
            // the update may have swapped the bundle that registers it: wait for it to come back
            ControlledService[] s = new ControlledService[1];
            services.until("the service control of " + name, wait, () -> (s[0] = find(name)) != null);
            log.line(" * Starting " + name);
            try {
                s[0].start();
                if (!s[0].running()) {
                    throw new UpdateFailure("service " + name + " started but does not run");
                }
            } catch (UpdateFailure e) {
                throw e;
            } catch (Exception e) {
                throw new UpdateFailure("service " + name + " did not start: " + reason(e), e);
            }
            started.add(name);
            journal.set(STARTED, String.join(",", started));
            save.run();
        }
    }

    private ControlledService find(String name) {
        return controlled(services).stream().filter(s -> name.equals(s.name())).findFirst().orElse(null);
    }

    private List<String> names(String key) {
        List<String> out = new ArrayList<>();
        for (String n : journal.get(key).split(",")) {
            if (!n.isBlank()) {
                out.add(n);
            }
        }
        return out;
    }

    /** The registered services, in stop order (then by name). */
    static List<ControlledService> controlled(Services services) {
        List<ControlledService> out = new ArrayList<>();
        try {
            var refs = services.context().getServiceReferences(ControlledService.class, null);
            for (ServiceReference<ControlledService> ref : refs) {
                ControlledService s = services.context().getService(ref);
                if (s != null) {
                    out.add(s);
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            throw new Services.Stopped();
        }
        out.sort(Comparator.comparingInt(ControlledService::order).thenComparing(ControlledService::name));
        return out;
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
