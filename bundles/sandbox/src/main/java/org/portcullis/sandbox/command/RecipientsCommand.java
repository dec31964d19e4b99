package org.portcullis.sandbox.command;

import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Option;

/** Base of {@code sandbox:release} and {@code sandbox:delete}: a sandboxed message, optional recipients, the outcome printed. */
abstract class RecipientsCommand extends SandboxCommand {

    @Argument(index = 0, name = "id", description = "The quarantine id (sandbox:list)", required = true)
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
        long message = sandboxed(id).id();
        Set<String> recipients = to == null ? Set.of() : Set.copyOf(to);
        (release ? quarantine.release(message, recipients, actingAccount()) : quarantine.delete(message, recipients, actingAccount()))
                .lines(release ? "Released" : "Deleted").forEach(System.out::println);
    }
}
