package org.portcullis.acme.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code acme:order NAME…}: a certificate for these names, now, installed on every node. */
@Command(scope = "acme", name = "order", description = "Orders a certificate for the names now and installs it (HTTPS, Postfix); renewals ask for "
        + "the same names. A name that does not validate is left out and reported")
@Service
public class OrderAction extends AcmeCommand {

    @Argument(name = "names", description = "DNS names (the first is the one mail clients and browsers see first)", required = true, multiValued = true)
    List<String> names;

    @Override
    protected void run() {
        certificates.order(names, author()).forEach(System.out::println);
    }
}
