package org.portcullis.updater.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.updater.spi.ControlledService;

/**
 * One {@link ControlledService} per {@code org.portcullis.updater.service} configuration: an OS
 * service through systemctl or configured commands, or in-container components through the
 * Declarative Services runtime. What is wrong with a configuration is said by
 * {@link #problem()} (the {@code services} precheck) rather than by a service that vanishes.
 */
@Component(service = ControlledService.class, configurationPid = ConfiguredService.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ServiceConfig.class, factory = true)
public class ConfiguredService implements ControlledService {

    static final String FACTORY_PID = "org.portcullis.updater.service";

    enum Kind { SYSTEMD, COMMAND, COMPONENT }

    @Reference
    ServiceComponentRuntime scr;

    private String name;
    private int order;
    private Kind kind;
    private String problem = "";
    private String unit;
    private List<String> stop;
    private List<String> start;
    private List<String> status;
    private List<String> reload;
    private List<String> components;
    private Duration timeout;
    private volatile boolean started = true;

    @Activate
    void activate(ServiceConfig config) {
        name = config.name() == null ? "" : config.name().trim();
        order = config.order();
        timeout = Duration.ofSeconds(Math.max(1, config.timeout_s()));
        unit = config.unit().isBlank() ? name : config.unit().trim();
        stop = OsStep.words(config.stop_command());
        start = OsStep.words(config.start_command());
        status = OsStep.words(config.status_command());
        reload = OsStep.words(config.reload_command());
        components = config.components() == null ? List.of() : List.of(config.components());
        String k = config.kind().trim();
        kind = switch (k) {
            case "systemd" -> Kind.SYSTEMD;
            case "command" -> Kind.COMMAND;
            case "component" -> Kind.COMPONENT;
            case "auto", "" -> OsStep.Launcher.detect("auto").filter(l -> l == OsStep.Launcher.SYSTEMD).isPresent() ? Kind.SYSTEMD : Kind.COMMAND;
            default -> null;
        };
        problem = problem(name, k, kind, stop, start, components);
    }

    /** What is wrong with a configuration, or empty. */
    static String problem(String name, String kindWord, Kind kind, List<String> stop, List<String> start, List<String> components) {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            return "service '" + name + "': the name must be 1 to 64 letters, digits, '.', '_' or '-'";
        }
        if (kind == null) {
            return "service " + name + ": kind '" + kindWord + "' is none of auto, systemd, command, component";
        }
        if (kind == Kind.COMMAND && (stop.isEmpty() || start.isEmpty())) {
            return "service " + name + ": kind command (systemd is not PID 1 here) needs stop.command and start.command";
        }
        if (kind == Kind.COMPONENT && components.isEmpty()) {
            return "service " + name + ": kind component needs components";
        }
        return "";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int order() {
        return order;
    }

    /** Why this service cannot be controlled, or empty. */
    public String problem() {
        return problem;
    }

    /** How it is controlled, for the precheck line. */
    public String how() {
        return switch (kind == null ? Kind.COMMAND : kind) {
            case SYSTEMD -> "systemd unit " + unit;
            case COMMAND -> "commands";
            case COMPONENT -> "components " + String.join(" ", components);
        };
    }

    @Override
    public synchronized void stop() throws Exception {
        requireValid();
        switch (kind) {
            case SYSTEMD -> run(List.of("systemctl", "stop", unit));
            // asked first: 'postfix stop' fails when it is stopped already, and after a crash the updater asks again
            case COMMAND -> {
                if (status.isEmpty() || exit(status) == 0) {
                    run(stop);
                }
            }
            case COMPONENT -> components(false);
        }
        started = false;
    }

    @Override
    public synchronized void start() throws Exception {
        requireValid();
        switch (kind) {
            case SYSTEMD -> run(List.of("systemctl", "start", unit));
            case COMMAND -> {
                if (status.isEmpty() || exit(status) != 0) {
                    run(start);
                }
            }
            case COMPONENT -> components(true);
        }
        started = true;
    }

    /**
     * A stopped service stays stopped (the updater may have stopped it for an update): nothing
     * then. Else systemd: {@code systemctl try-reload-or-restart}; kind command: the reload
     * command when there is one; else stop and start. Serialised with {@link #stop} and {@link #start}.
     */
    @Override
    public synchronized void reload() throws Exception {
        requireValid();
        if (!running()) {
            return;
        }
        if (kind == Kind.SYSTEMD) {
            run(List.of("systemctl", "try-reload-or-restart", unit));
        } else if (kind == Kind.COMMAND && !reload.isEmpty()) {
            run(reload);
        } else {
            stop();
            start();
        }
    }

    @Override
    public boolean running() throws Exception {
        requireValid();
        return switch (kind) {
            case SYSTEMD -> exit(List.of("systemctl", "is-active", "--quiet", unit)) == 0;
            case COMMAND -> status.isEmpty() ? started : exit(status) == 0;
            case COMPONENT -> componentsActive();
        };
    }

    private void requireValid() {
        if (!problem.isEmpty()) {
            throw new IllegalStateException(problem);
        }
    }

    private void run(List<String> command) throws IOException {
        Command.Result r = Command.run(command, timeout);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exit() + (r.lastLine().isEmpty() ? "" : ": " + r.lastLine()));
        }
    }

    private int exit(List<String> command) throws IOException {
        return Command.run(command, timeout).exit();
    }

    /** Disables or enables every named component, in whichever bundle has it now, and waits until that has happened. */
    private void components(boolean enable) throws Exception {
        List<ComponentDescriptionDTO> found = descriptions();
        for (String c : components) {
            if (found.stream().noneMatch(d -> d.name.equals(c))) {
                throw new IOException("component " + c + " is not installed");
            }
        }
        for (ComponentDescriptionDTO d : found) {
            if (enable) {
                scr.enableComponent(d).getValue();
            } else {
                scr.disableComponent(d).getValue();
            }
        }
        long end = System.nanoTime() + timeout.toNanos();
        while (componentsActive() != enable) {
            if (System.nanoTime() > end) {
                throw new IOException("components " + String.join(" ", components) + " did not " + (enable ? "start" : "stop")
                        + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private List<ComponentDescriptionDTO> descriptions() {
        List<ComponentDescriptionDTO> out = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (components.contains(d.name)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Every named component enabled, with each configuration active or satisfied. */
    private boolean componentsActive() {
        List<ComponentDescriptionDTO> found = descriptions();
        if (found.isEmpty()) {
            return false;
        }
        for (ComponentDescriptionDTO d : found) {
            if (!scr.isComponentEnabled(d)) {
                return false;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                    return false;
                }
            }
        }
        return true;
    }
}
