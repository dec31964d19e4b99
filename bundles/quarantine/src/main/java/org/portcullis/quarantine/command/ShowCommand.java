package org.portcullis.quarantine.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.QuarantineException;

/** {@code quarantine:show <id>}: one held message and every recipient's state. */
@Command(scope = "quarantine", name = "show", description = "Shows a quarantined message and its recipients' states")
@Service
public class ShowCommand extends QuarantineCommand {

    @Argument(index = 0, name = "id", description = "The quarantine id (quarantine:list)", required = true)
    String id;

    @Override
    protected void run() {
        HeldMessage m = quarantine.get(id(id), actingAccount())
                .orElseThrow(() -> new QuarantineException(QuarantineException.Code.NOT_FOUND, "no quarantined message " + id));
        System.out.printf("Id:          %d%nHeld:        %s%nQueue id:    %s%nMessage-ID:  %s%nFrom:        %s%nClient:      %s%n"
                + "Reason:      %s: %s%nScanners:    %s%nSize:        %d bytes (SHA-256 %s)%s%n", m.id(), m.held(), m.queueId(), m.messageId(),
                m.sender().isEmpty() ? "<>" : m.sender(), m.clientAddress(), m.category(), m.reason(), String.join(", ", m.details()),
                m.size(), m.sha256(), m.hasContent() ? "" : " - content deleted by retention");
        for (HeldMessage.Recipient r : m.recipients()) {
            System.out.printf("Recipient:   %s %s%s%n", r.address(), r.state(), r.state().equals("held") ? ""
                    : " at " + r.changed() + (r.changedBy().isEmpty() ? "" : " by " + r.changedBy()) + (r.reply().isEmpty() ? "" : " (" + r.reply() + ")"));
        }
    }
}
