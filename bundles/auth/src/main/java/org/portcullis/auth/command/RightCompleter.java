package org.portcullis.auth.command;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.auth.Right;

/** Completes right names from {@link Right} itself, so a new right completes without a second list to keep. */
@Service
public class RightCompleter implements Completer {

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (Right r : Right.values()) {
            names.getStrings().add(r.id());
        }
        return names.complete(session, commandLine, candidates);
    }
}
