package org.portcullis.sandbox.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code sandbox:delete <id> [--to rcpt]…}: the quarantine's delete, for a message the sandbox holds. */
@Command(scope = "sandbox", name = "delete", description = "Deletes a sandboxed message (right sandbox-release or virus-release)")
@Service
public class DeleteCommand extends RecipientsCommand {

    public DeleteCommand() {
        super(false);
    }
}
