package org.portcullis.core.command;

import java.io.IOException;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.core.MaintenanceState;

/**
 * {@code portcullis:maintenance on|off|status}. While maintenance is on, new mail transactions are
 * answered with a 4xx so senders retry later.
 */
@Command(scope = "portcullis", name = "maintenance",
        description = "Switches maintenance mode on or off, or shows it (mail gets 4xx while on)")
@Service
public class MaintenanceCommand implements Action {

    private static final List<String> ACTIONS = List.of("on", "off", "status");

    @Argument(index = 0, name = "action", description = "on, off or status (default)", required = false)
    @Completion(value = StringsCompleter.class, values = {"on", "off", "status"})
    String action = "status";

    @Argument(index = 1, name = "reason", description = "Why maintenance is switched on (shown in status)",
            required = false, multiValued = true)
    List<String> reasonWords;

    @Option(name = "-r", aliases = "--reason", description = "Why maintenance is switched on (shown in status)")
    String reason;

    @Reference
    MaintenanceMode maintenance;

    @Reference
    Session session;

    @Override
    public Object execute() throws IOException {
        switch (action) {
            case "on" -> print(maintenance.enable(reason(), user()));
            case "off" -> print(maintenance.disable());
            case "status" -> print(maintenance.state());
            default -> throw new IllegalArgumentException(
                    "unknown action '" + action + "': use one of " + String.join(", ", ACTIONS));
        }
        return null;
    }

    private String reason() {
        return reasonWords != null ? String.join(" ", reasonWords) : reason == null ? "" : reason;
    }

    private String user() {
        Object user = session.get("USER");
        return user == null ? "shell" : user.toString();
    }

    static String describe(MaintenanceState s) {
        if (!s.active()) {
            return "Maintenance: off (accepting mail)";
        }
        return "Maintenance: on since " + s.since() + " by " + s.by()
                + (s.reason().isEmpty() ? "" : " - " + s.reason()) + " (new mail gets 4xx)";
    }

    private static void print(MaintenanceState s) {
        System.out.println(describe(s));
    }
}
