package org.portcullis.quarantine.command;

import java.util.Set;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.Account;
import org.portcullis.quarantine.Quarantine;

/** {@code quarantine:release <id> [--to rcpt]…}. */
@Command(scope = "quarantine", name = "release", description = "Releases a quarantined message for its held recipients, or those named")
@Service
public class ReleaseCommand extends RecipientsCommand {

    @Override
    Quarantine.Outcome act(long id, Set<String> recipients, Account caller) {
        return quarantine.release(id, recipients, caller);
    }

    @Override
    String done() {
        return "released";
    }
}
