package org.portcullis.backup.command;

import java.io.IOException;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.backup.Backups;

/** Completes the names of the backups in the backup directory, as {@code backup:list} shows them. */
@Service
public class BackupNameCompleter implements Completer {

    @Reference
    Backups backups;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        try {
            backups.list().forEach(b -> names.getStrings().add(b.file().getFileName().toString()));
        } catch (IOException e) {
            return -1;
        }
        return names.complete(session, commandLine, candidates);
    }
}
