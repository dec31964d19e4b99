package org.portcullis.quarantine.command;

import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.quarantine.Quarantine;

/** {@code quarantine:release <id> [--to rcpt]…}. */
@Command(scope = "quarantine", name = "release", description = "Releases a quarantined message for its held recipients, or those named")
@Service
public class ReleaseCommand extends QuarantineCommand {

    @Argument(index = 0, name = "id", description = "The quarantine id (quarantine:list)", required = true)
    String id;

    @Option(name = "-t", aliases = "--to", description = "Only this recipient (repeat for several)", multiValued = true)
    List<String> to;

    @Override
    protected void run() {
        Quarantine.Outcome o = quarantine.release(id(id), to == null ? Set.of() : Set.copyOf(to), who());
        Outcomes.print(o, "released");
    }
}
