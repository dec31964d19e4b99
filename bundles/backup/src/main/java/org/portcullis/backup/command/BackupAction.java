package org.portcullis.backup.command;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Right;
import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.Progress;
import org.portcullis.backup.Backups;
import org.portcullis.backup.internal.Passphrases;

/** What every {@code backup:*} command has: the service, and the right {@code backup} checked first. */
abstract class BackupAction extends AccountCommand {

    @Reference
    Backups backups;

    @Override
    protected Right required() {
        return Right.BACKUP;
    }

    @Override
    protected void run() throws Exception {
        try {
            backup();
        } catch (IllegalArgumentException e) {
            throw new BackupException(e.getMessage());
        }
    }

    abstract void backup() throws Exception;

    /** The passphrase in the first line of {@code file}, or {@code null} (the appliance key file). */
    static char[] passphrase(String file) throws IOException {
        return file == null ? null : Passphrases.fromFile(Path.of(file));
    }

    /** Prints each progress report as one line: phase, parts, bytes, the part at hand. */
    static Consumer<Progress> progress() {
        return p -> System.out.println(String.format("  %-9s %s, %s%s", p.phase(),
                p.partsTotal() < 0 ? p.partsDone() + (p.partsDone() == 1 ? " part" : " parts") : "part " + p.partsDone() + " of " + p.partsTotal(),
                size(p.bytesDone()) + (p.bytesTotal() < 0 ? "" : " of " + size(p.bytesTotal())),
                p.part().isEmpty() ? "" : "  " + p.part()));
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    static String describe(BackupInfo b) {
        return b.file() + "  made " + b.header().created() + " on " + b.header().node() + " by Portcullis " + b.header().productVersion()
                + ", " + b.header().keyKind() + ", " + size(b.fileBytes());
    }
}
