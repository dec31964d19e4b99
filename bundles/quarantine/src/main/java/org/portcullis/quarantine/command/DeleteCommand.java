package org.portcullis.quarantine.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code quarantine:delete <id> [--to rcpt]…}. */
@Command(scope = "quarantine", name = "delete", description = "Deletes a quarantined message for its held recipients, or those named")
@Service
public class DeleteCommand extends RecipientsCommand {

    public DeleteCommand() {
        super(false);
    }
}
