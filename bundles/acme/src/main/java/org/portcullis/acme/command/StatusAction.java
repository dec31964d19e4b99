package org.portcullis.acme.command;

import java.time.temporal.ChronoUnit;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.acme.CertificateStatus;

/** {@code acme:status}. */
@Command(scope = "acme", name = "status", description = "The account, each name's outcome, the certificate, its renewal, and what this node serves")
@Service
public class StatusAction extends AcmeCommand {

    @Override
    protected void run() {
        CertificateStatus s = certificates.status();
        System.out.println("CA:          " + s.directory());
        System.out.println("Account:     " + (s.account().isEmpty() ? "none (acme:account --contact ADDRESS --agree-tos)" : s.account()
                + (s.contact().isEmpty() ? "" : " (" + s.contact() + ")")));
        for (CertificateStatus.NameStatus n : s.names()) {
            System.out.println("Name:        " + n.name() + "  " + n.state() + (n.detail().isEmpty() ? "" : "  " + n.detail()));
        }
        CertificateStatus.Issued c = s.certificate();
        if (c == null) {
            System.out.println("Certificate: none (acme:order NAME…)");
        } else {
            System.out.println("Certificate: " + c.serial() + " for " + String.join(", ", c.names()) + ", valid " + c.notBefore().truncatedTo(
                    ChronoUnit.SECONDS) + " to " + c.notAfter().truncatedTo(ChronoUnit.SECONDS) + ", issuer " + c.issuer());
            System.out.println("Renews at:   " + (s.renewAt() == null ? "now (revoked)" : s.renewAt().truncatedTo(ChronoUnit.SECONDS)));
        }
        if (s.failures() > 0) {
            System.out.println("Failures:    " + s.failures() + " in a row, next try not before " + (s.nextTry() == null ? "-" : s.nextTry().truncatedTo(
                    ChronoUnit.SECONDS)) + ": " + s.lastError());
        }
        s.installed().forEach(l -> System.out.println("This node:   " + l));
    }
}
