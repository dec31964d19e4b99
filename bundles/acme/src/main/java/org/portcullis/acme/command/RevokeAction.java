package org.portcullis.acme.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code acme:revoke}. */
@Command(scope = "acme", name = "revoke", description = "Revokes the current certificate at the CA (a leaked key); it is served until a renewal "
        + "replaces it")
@Service
public class RevokeAction extends AcmeCommand {

    @Override
    protected void run() {
        System.out.println(certificates.revoke(author()));
    }
}
