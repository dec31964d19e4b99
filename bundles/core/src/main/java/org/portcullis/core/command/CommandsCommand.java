package org.portcullis.core.command;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * {@code portcullis:commands}: the Portcullis command scopes installed now and their commands,
 * so that {@code help portcullis} leads to {@code lists:}, {@code auth:}, {@code backup:} and the
 * rest. Built from the shell's registry, so a scope appears when its bundle starts.
 */
@Command(scope = "portcullis", name = "commands", description = "Lists every Portcullis command (lists:, auth:, backup:, milter:, storage:, ...)")
@Service
public class CommandsCommand implements Action {

    /** The scopes Portcullis bundles register their commands in. */
    static final Set<String> SCOPES = Set.of("portcullis", "storage", "auth", "lists", "backup", "milter", "mail", "update", "cluster",
            "sandbox", "quarantine", "acme");

    @Reference
    Session session;

    @Override
    public Object execute() {
        Map<String, String> commands = new TreeMap<>();
        for (org.apache.karaf.shell.api.console.Command c : session.getRegistry().getCommands()) {
            if (SCOPES.contains(c.getScope())) {
                commands.put(c.getScope() + ":" + c.getName(), c.getDescription());
            }
        }
        ShellTable table = new ShellTable();
        table.column("Command");
        table.column("What it does");
        commands.forEach((name, description) -> table.addRow().addContent(name, description));
        table.print(System.out);
        System.out.println("Each has --help; 'help <scope>' lists a scope's commands (for example: help lists).");
        return null;
    }
}
