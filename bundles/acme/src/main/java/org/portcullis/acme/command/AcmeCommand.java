package org.portcullis.acme.command;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.portcullis.acme.Certificates;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;

/** Base of the {@code acme:} commands: the service, and the right they need. */
abstract class AcmeCommand extends AccountCommand {

    @Reference
    Certificates certificates;

    @Override
    protected Right required() {
        return Right.CERTIFICATES;
    }
}
