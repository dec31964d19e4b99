package org.portcullis.sandbox.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code sandbox:release <id> [--to rcpt]…}: the quarantine's release, for a message the sandbox holds. */
@Command(scope = "sandbox", name = "release", description = "Releases a sandboxed message (right sandbox-release or virus-release)")
@Service
public class ReleaseCommand extends RecipientsCommand {

    public ReleaseCommand() {
        super(true);
    }
}
