package org.portcullis.quarantine.command;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;

/** Base of the quarantine commands: the service, and the caller as the quarantine checks it. */
abstract class QuarantineCommand extends AccountCommand {

    @Reference
    Quarantine quarantine;

    @Override
    protected Right required() {
        return null; // the quarantine checks the right each message's category needs
    }

    static long id(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new QuarantineException(QuarantineException.Code.INVALID, "not a quarantine id (a number, as quarantine:list shows it): '"
                    + value + "'");
        }
    }
}
