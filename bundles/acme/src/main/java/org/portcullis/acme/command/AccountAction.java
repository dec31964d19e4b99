package org.portcullis.acme.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code acme:account --contact ADDRESS --agree-tos}: the account at the configured CA. */
@Command(scope = "acme", name = "account", description = "Creates the ACME account at the configured CA (or finds the one of the stored key); "
        + "without --agree-tos it shows the CA's terms of service and creates nothing")
@Service
public class AccountAction extends AcmeCommand {

    @Option(name = "-c", aliases = "--contact", description = "E-mail address the CA writes to about expiring certificates and problems")
    String contact = "";

    @Option(name = "--agree-tos", description = "Agrees to the CA's terms of service (read them first)")
    boolean agree;

    @Override
    protected void run() {
        System.out.println(certificates.account(contact, agree, author()));
    }
}
