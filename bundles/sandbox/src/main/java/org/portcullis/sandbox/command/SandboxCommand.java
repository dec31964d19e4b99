package org.portcullis.sandbox.command;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.sandbox.internal.SandboxService;

/** Base of the sandbox commands that act on one held message: the quarantine checks rights and scopes. */
abstract class SandboxCommand extends AccountCommand {

    @Reference
    Quarantine quarantine;

    @Reference
    SandboxService sandbox;

    @Override
    protected Right required() {
        return null; // the quarantine checks sandbox-release or virus-release per message
    }

    /** The held message {@code id}, which the sandbox must hold. */
    HeldMessage sandboxed(String id) {
        long n;
        try {
            n = Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a quarantine id (a number, as sandbox:list shows it): '" + id + "'");
        }
        HeldMessage m = quarantine.get(n, actingAccount())
                .orElseThrow(() -> new QuarantineException(QuarantineException.Code.NOT_FOUND, "no quarantined message " + n));
        if (!m.category().equals("sandbox")) {
            throw new IllegalArgumentException("message " + n + " is held for " + m.category() + ", not by the sandbox: use quarantine:show, "
                    + "quarantine:release or quarantine:delete");
        }
        return m;
    }
}
