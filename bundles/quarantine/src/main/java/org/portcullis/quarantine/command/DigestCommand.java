package org.portcullis.quarantine.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.Role;
import org.portcullis.quarantine.QuarantineException;

/** {@code quarantine:digest [--force]}: the digests that are due, now (an admin's). */
@Command(scope = "quarantine", name = "digest", description = "Sends the digests that are due now (with --force, also to recipients sent one "
        + "recently); each lists only mail no digest listed before")
@Service
public class DigestCommand extends QuarantineCommand {

    @Option(name = "-f", aliases = "--force", description = "Also to recipients whose last digest is recent")
    boolean force;

    @Override
    protected void run() {
        if (actingAccount().role() != Role.ADMIN) {
            throw new QuarantineException(QuarantineException.Code.FORBIDDEN, "sending digests is an admin's");
        }
        int sent = quarantine.sendDigests(force);
        System.out.println(sent == 0 ? "No digest was due" : "Sent " + sent + (sent == 1 ? " digest" : " digests"));
    }
}
