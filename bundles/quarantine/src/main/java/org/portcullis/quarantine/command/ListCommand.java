package org.portcullis.quarantine.command;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.QuarantineQuery;

/** {@code quarantine:list}: held messages, newest first, filtered. */
@Command(scope = "quarantine", name = "list", description = "Lists quarantined messages (newest first)")
@Service
public class ListCommand extends QuarantineCommand {

    @Option(name = "-t", aliases = "--to", description = "A recipient")
    String to;

    @Option(name = "-f", aliases = "--from", description = "The envelope sender")
    String from;

    @Option(name = "-r", aliases = "--reason", description = "sandbox, virus, spam or policy")
    @Completion(value = StringsCompleter.class, values = {"sandbox", "virus", "spam", "policy"})
    String reason;

    @Option(name = "-s", aliases = "--state", description = "Messages with a recipient in this state: held, released, deleted or expired")
    @Completion(value = StringsCompleter.class, values = {"held", "released", "deleted", "expired"})
    String state;

    @Option(name = "-S", aliases = "--since", description = "Held from then on: 30m, 12h, 7d (ago), 2026-12-01 or an ISO time")
    String since;

    @Option(name = "-u", aliases = "--until", description = "Held before then (same forms as --since)")
    String until;

    @Option(name = "-n", aliases = "--limit", description = "At most this many messages")
    int limit = 20;

    @Override
    protected void run() {
        List<HeldMessage> found = quarantine.search(new QuarantineQuery(to, from, Filters.category(reason), Filters.state(state),
                Filters.time("since", since), Filters.time("until", until), limit, null, null));
        if (found.isEmpty()) {
            System.out.println("No quarantined message matches");
            return;
        }
        ShellTable table = new ShellTable();
        for (String c : List.of("Id", "Held", "From", "Recipients", "Reason", "Size")) {
            table.column(c);
        }
        for (HeldMessage m : found) {
            table.addRow().addContent(m.id(), m.held().truncatedTo(ChronoUnit.SECONDS), m.sender().isEmpty() ? "<>" : m.sender(),
                    m.recipients().stream().map(r -> r.address() + " (" + r.state() + ")").collect(Collectors.joining(", ")),
                    m.category() + ": " + m.reason(), m.size());
        }
        table.print(System.out);
    }
}
