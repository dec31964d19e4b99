package org.portcullis.quarantine.command;

import java.util.Set;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.Account;
import org.portcullis.quarantine.Quarantine;

/** {@code quarantine:delete <id> [--to rcpt]…}. */
@Command(scope = "quarantine", name = "delete", description = "Deletes a quarantined message for its held recipients, or those named")
@Service
public class DeleteCommand extends RecipientsCommand {

    @Override
    Quarantine.Outcome act(long id, Set<String> recipients, Account caller) {
        return quarantine.delete(id, recipients, caller);
    }

    @Override
    String done() {
        return "deleted";
    }
}
