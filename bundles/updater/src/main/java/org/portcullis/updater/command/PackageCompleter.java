package org.portcullis.updater.command;

import java.nio.file.Path;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.updater.Updates;

/** Completes the names of the kept update packages. */
@Service
public class PackageCompleter implements Completer {

    @Reference
    Updates updates;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        updates.packages().stream().map(Path::getFileName).map(Path::toString).forEach(names.getStrings()::add);
        return names.complete(session, commandLine, candidates);
    }
}
