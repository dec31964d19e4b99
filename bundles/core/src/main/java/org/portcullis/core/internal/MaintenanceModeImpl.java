package org.portcullis.core.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.core.MaintenanceState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance mode backed by a file in the container's data directory.
 *
 * <p>An unreadable state file fails safe: the node stays in maintenance (mail is deferred, not
 * lost) and the log says how to clear it, because the file may have been written by an update
 * that has not finished.
 */
@Component(service = MaintenanceMode.class, configurationPid = "org.portcullis.core")
@Designate(ocd = MaintenanceModeImpl.Config.class)
public class MaintenanceModeImpl implements MaintenanceMode {

    @ObjectClassDefinition(name = "Portcullis core", description = "Platform settings of this node")
    @interface Config {
        @AttributeDefinition(name = "Maintenance state file",
                description = "Where maintenance mode is kept across restarts; empty means "
                        + "${karaf.data}/portcullis/maintenance.properties")
        String maintenance_file() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceModeImpl.class);

    private final Clock clock;
    private MaintenanceStore store;
    private volatile MaintenanceState state = MaintenanceState.OFF;

    public MaintenanceModeImpl() {
        this(Clock.systemUTC());
    }

    MaintenanceModeImpl(Clock clock) {
        this.clock = clock;
    }

    @Activate
    void activate(Config config) {
        String configured = config.maintenance_file().trim();
        Path file = configured.isEmpty()
                ? Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "maintenance.properties")
                : Paths.get(configured);
        open(new MaintenanceStore(file));
    }

    void open(MaintenanceStore store) {
        this.store = store;
        try {
            state = store.load();
        } catch (IOException e) {
            state = new MaintenanceState(true, "state file unreadable: " + e.getMessage(), clock.instant(), "system");
            LOG.error("Maintenance state file {} cannot be read ({}); staying in maintenance so no mail is "
                    + "accepted half-configured. Run 'portcullis:maintenance off' to clear it.",
                    store.file(), e.getMessage());
            return;
        }
        if (state.active()) {
            LOG.warn("Node is in maintenance since {} ({}, by {}): new mail transactions get a 4xx",
                    state.since(), state.reason(), state.by());
        }
    }

    @Override
    public boolean isActive() {
        return state.active();
    }

    @Override
    public MaintenanceState state() {
        return state;
    }

    @Override
    public synchronized MaintenanceState enable(String reason, String by) throws IOException {
        MaintenanceState current = state;
        Instant since = current.active() ? current.since() : clock.instant();
        MaintenanceState next = new MaintenanceState(true, reason == null ? "" : reason.strip(), since,
                by == null ? "" : by);
        store.save(next);
        state = next;
        LOG.info("Maintenance mode on ({}, by {}): new mail transactions get a 4xx", next.reason(), next.by());
        return next;
    }

    @Override
    public synchronized MaintenanceState disable() throws IOException {
        if (state.active()) {
            store.save(MaintenanceState.OFF);
            LOG.info("Maintenance mode off: accepting mail again");
        }
        state = MaintenanceState.OFF;
        return state;
    }
}
