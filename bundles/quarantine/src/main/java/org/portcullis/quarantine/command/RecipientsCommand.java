package org.portcullis.quarantine.command;

import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Option;
import org.portcullis.auth.Account;
import org.portcullis.quarantine.Quarantine;

/** Base of {@code quarantine:release} and {@code quarantine:delete}: a message id, optional recipients, the outcome printed. */
abstract class RecipientsCommand extends QuarantineCommand {

    @Argument(index = 0, name = "id", description = "The quarantine id (quarantine:list)", required = true)
    String id;

    @Option(name = "-t", aliases = "--to", description = "Only this recipient (repeat for several)", multiValued = true)
    List<String> to;

    /** Does it for {@code recipients} (empty: every held one the caller covers). */
    abstract Quarantine.Outcome act(long id, Set<String> recipients, Account caller);

    /** What was done, for the report: {@code released}, {@code deleted}. */
    abstract String done();

    @Override
    protected void run() {
        Quarantine.Outcome o = act(id(id), to == null ? Set.of() : Set.copyOf(to), who());
        if (!o.done().isEmpty()) {
            System.out.println(Character.toUpperCase(done().charAt(0)) + done().substring(1) + " for " + String.join(", ", o.done())
                    + (o.reply().isEmpty() ? "" : " (" + o.reply() + ")"));
        }
        if (!o.unchanged().isEmpty()) {
            System.out.println("Left as they were: " + String.join(", ", o.unchanged()));
        }
        if (o.done().isEmpty() && o.unchanged().isEmpty()) {
            System.out.println("No recipient of yours is held in this message");
        }
    }
}
