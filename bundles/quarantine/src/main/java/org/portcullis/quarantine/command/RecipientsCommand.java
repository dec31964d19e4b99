package org.portcullis.quarantine.command;

import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Option;

/** Base of {@code quarantine:release} and {@code quarantine:delete}: a message id, optional recipients, the outcome printed. */
abstract class RecipientsCommand extends QuarantineCommand {

    @Argument(index = 0, name = "id", description = "The quarantine id (quarantine:list)", required = true)
    String id;

    @Option(name = "-t", aliases = "--to", description = "Only this recipient (repeat for several)", multiValued = true)
    List<String> to;

    private final boolean release;

    /** @param release release the recipients, or else delete them */
    RecipientsCommand(boolean release) {
        this.release = release;
    }

    @Override
    protected void run() {
        long message = id(id);
        Set<String> recipients = to == null ? Set.of() : Set.copyOf(to);
        (release ? quarantine.release(message, recipients, actingAccount()) : quarantine.delete(message, recipients, actingAccount()))
                .lines(release ? "Released" : "Deleted").forEach(System.out::println);
    }
}
