package org.portcullis.sandbox.command;

import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.sandbox.internal.SandboxService;

/** {@code sandbox:list}: the sandbox's analyses, most recently changed first. */
@Command(scope = "sandbox", name = "list", description = "Lists the sandbox's analyses of held mail (release or delete with quarantine:release/delete)")
@Service
public class ListCommand extends AccountCommand {

    @Reference
    SandboxService sandbox;

    @Option(name = "-s", aliases = "--state", description = "pending, clean, malicious, released-unanalysed or gone")
    @Completion(value = StringsCompleter.class, values = {"pending", "clean", "malicious", "released-unanalysed", "gone"})
    String state;

    @Option(name = "-n", aliases = "--limit", description = "At most this many")
    int limit = 20;

    @Override
    protected Right required() {
        return null; // the shell is an admin's
    }

    @Override
    protected void run() {
        List<SandboxService.Analysis> all = sandbox.analyses(state, limit);
        if (all.isEmpty()) {
            System.out.println("No analysis matches");
            return;
        }
        ShellTable table = new ShellTable();
        for (String c : List.of("Quarantine id", "Queue id", "State", "Failures", "Next try", "Findings or last error")) {
            table.column(c);
        }
        for (SandboxService.Analysis a : all) {
            table.addRow().addContent(a.message(), a.queueId(), a.state(), a.attempts(),
                    a.state().equals("pending") ? a.nextTry().truncatedTo(ChronoUnit.SECONDS) : "",
                    a.findings().isEmpty() ? a.lastError() : String.join("; ", a.findings()));
        }
        table.print(System.out);
    }
}
