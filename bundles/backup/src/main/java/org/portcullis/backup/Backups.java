package org.portcullis.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The appliance's backups: made, listed, verified and restored one at a time on this node
 * (a second call while one runs gets {@link BackupBusyException}). The backup bundle provides
 * it; the shell commands and the REST API use it, and so may other bundles.
 *
 * <p>A passphrase of {@code null} means the appliance key file.
 */
@ProviderType
public interface Backups {

    /** A fresh dated file name: {@code portcullis-<version>-<yyyyMMdd-HHmmss>.pcbk} (UTC). */
    String newName();

    /** Where backups are written, listed, uploaded to and downloaded from. */
    Path directory();

    /** The largest file an upload may bring ({@code upload.max.bytes}). */
    long uploadLimit();

    /** Makes a backup at {@code to}, or in {@link #directory()} under {@link #newName()} when {@code to} is null. */
    BackupInfo create(Path to, char[] passphrase, Consumer<Progress> progress) throws IOException;

    /** Reads the whole file and checks every byte of it; changes nothing. */
    BackupInfo verify(Path file, char[] passphrase, Consumer<Progress> progress) throws IOException;

    /**
     * Puts {@code file} back, all or nothing, in maintenance mode: the whole file is verified
     * first, another product version is refused, the database is restored in one transaction,
     * then the configuration and the participants' parts; a node stopped half-way finishes or
     * forgets the restore when it starts.
     *
     * @param by who asked, for the log
     */
    BackupInfo restore(Path file, char[] passphrase, String by, Consumer<Progress> progress) throws IOException;

    /** Deletes a backup file in {@link #directory()}. */
    void delete(Path file) throws IOException;

    /** The backups in {@link #directory()}, newest first, from their clear headers. */
    List<BackupInfo> list() throws IOException;
}
