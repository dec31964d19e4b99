package org.portcullis.sandbox.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.sandbox.internal.SandboxService;

/** {@code sandbox:show <id>}: a sandboxed message, its analysis and its recipients. */
@Command(scope = "sandbox", name = "show", description = "Shows a sandboxed message: its analysis and its recipients' states")
@Service
public class ShowCommand extends SandboxCommand {

    @Argument(index = 0, name = "id", description = "The quarantine id (sandbox:list)", required = true)
    String id;

    @Override
    protected void run() {
        HeldMessage m = sandboxed(id);
        System.out.printf("Id:          %d%nHeld:        %s%nQueue id:    %s%nMessage-ID:  %s%nFrom:        %s%nReason:      %s%n", m.id(), m.held(),
                m.queueId(), m.messageId(), m.sender().isEmpty() ? "<>" : m.sender(), m.reason());
        SandboxService.Analysis a = sandbox.analysis(m.id()).orElse(null);
        if (a == null) {
            System.out.println("Analysis:    not started yet");
        } else {
            System.out.printf("Analysis:    %s, %d failed%s%n", a.state(), a.attempts(),
                    a.state().equals("pending") ? ", next try " + a.nextTry() : "");
            a.findings().forEach(f -> System.out.println("Finding:     " + f));
            if (!a.lastError().isEmpty()) {
                System.out.println("Last error:  " + a.lastError());
            }
        }
        for (HeldMessage.Recipient r : m.recipients()) {
            System.out.printf("Recipient:   %s %s%s%n", r.address(), r.state(), r.changedBy().isEmpty() ? "" : " by " + r.changedBy());
        }
    }
}
