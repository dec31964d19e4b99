package org.portcullis.tracking.command;

import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Right;
import org.portcullis.policy.MessageRecord;
import org.portcullis.tracking.Query;
import org.portcullis.tracking.Tracking;
import org.portcullis.tracking.internal.Filters;

/** {@code mail:log}: the tracked mail-log records, newest first, filtered. */
@Command(scope = "mail", name = "log", description = "Finds messages in the tracked mail log (newest first)")
@Service
public class MailLogCommand extends AccountCommand {

    @Reference
    Tracking tracking;

    @Option(name = "-q", aliases = "--queue-id", description = "The MTA's queue id")
    String queueId;

    @Option(name = "-m", aliases = "--message-id", description = "The Message-ID header")
    String messageId;

    @Option(name = "-f", aliases = "--from", description = "The envelope sender")
    String from;

    @Option(name = "-t", aliases = "--to", description = "A recipient")
    String to;

    @Option(name = "-v", aliases = "--verdict", description = "deliver, tag, quarantine, reject, tempfail or discard")
    @Completion(value = StringsCompleter.class, values = {"deliver", "tag", "quarantine", "reject", "tempfail", "discard"})
    String verdict;

    @Option(name = "-s", aliases = "--since", description = "From then on: 30m, 12h, 7d (ago), 2026-12-01 or an ISO time")
    String since;

    @Option(name = "-u", aliases = "--until", description = "Before then (same forms as --since)")
    String until;

    @Option(name = "-n", aliases = "--limit", description = "At most this many records")
    int limit = 20;

    @Override
    protected Right required() {
        return null; // the shell is an admin's; every record is theirs to see
    }

    @Override
    protected void run() {
        List<MessageRecord> found = tracking.search(new Query(queueId, messageId, from, to, Filters.verdict(verdict),
                Filters.time("since", since), Filters.time("until", until), limit, null, null));
        if (found.isEmpty()) {
            System.out.println("No message matches");
            return;
        }
        ShellTable table = new ShellTable();
        for (String c : List.of("Time", "Queue id", "Stage", "From", "To", "Verdict", "Reply", "Scanners")) {
            table.column(c);
        }
        for (MessageRecord r : found) {
            table.addRow().addContent(r.time().truncatedTo(ChronoUnit.SECONDS), r.queueId().isEmpty() ? "NOQUEUE" : r.queueId(), r.stage(),
                    r.sender().isEmpty() ? "<>" : r.sender(), String.join(",", r.recipients()), r.verdict().id(), r.reply(),
                    String.join(",", r.scanners()));
        }
        table.print(System.out);
    }
}
