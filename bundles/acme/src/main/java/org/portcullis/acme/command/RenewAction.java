package org.portcullis.acme.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code acme:renew [--force]}. */
@Command(scope = "acme", name = "renew", description = "Renews the certificate when due (with --force, now); after failures, not before the "
        + "back-off or the CA's Retry-After")
@Service
public class RenewAction extends AcmeCommand {

    @Option(name = "-f", aliases = "--force", description = "Renews now, whatever the certificate's dates")
    boolean force;

    @Override
    protected void run() {
        certificates.renew(force, author()).forEach(System.out::println);
    }
}
