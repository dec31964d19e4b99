package org.portcullis.quarantine.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code quarantine:release <id> [--to rcpt]…}. */
@Command(scope = "quarantine", name = "release", description = "Releases a quarantined message for its held recipients, or those named")
@Service
public class ReleaseCommand extends RecipientsCommand {

    public ReleaseCommand() {
        super(true);
    }
}
