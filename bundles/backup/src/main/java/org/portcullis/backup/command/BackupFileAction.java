package org.portcullis.backup.command;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.completers.FileCompleter;

/** What the commands that read a backup file take: the file, and its passphrase unless the appliance key file opens it. */
abstract class BackupFileAction extends BackupAction {

    @Completion(BackupNameCompleter.class)
    @Argument(index = 0, name = "file", required = true, description = "The backup: a name as backup:list shows it, or a file's path")
    String file;

    @Completion(FileCompleter.class)
    @Option(name = "-p", aliases = "--passphrase-file", description = "The backup's passphrase (else the appliance key file)")
    String passphraseFile;

    /** The file as given, or, for a bare name that is no file here, that name in the backup directory. */
    Path path() {
        Path given = Path.of(file);
        if (!Files.exists(given) && given.getNameCount() == 1) {
            Path listed = backups.directory().resolve(file);
            if (Files.exists(listed)) {
                return listed;
            }
        }
        return given;
    }
}
