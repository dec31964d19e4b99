package org.portcullis.updater.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.updater.Check;

@Command(scope = "update", name = "precheck", description = "Checks an update package and this appliance before an update; changes nothing")
@Service
public class PrecheckCommand extends UpdateAction {

    @Argument(name = "FILE", description = "An update package: a name as update:list shows it, or a path (default: the newest kept package)")
    @Completion(value = PackageCompleter.class)
    String file;

    @Override
    protected void run() {
        List<Check> checks = updates.precheck(packageFile(file));
        checks.forEach(c -> System.out.println(c.line()));
        long failed = checks.stream().filter(c -> !c.passed()).count();
        if (failed > 0) {
            throw new IllegalStateException(failed + " of " + checks.size() + " prechecks failed; nothing was changed");
        }
        System.out.println("All " + checks.size() + " prechecks passed.");
    }

}
