package org.portcullis.backup;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's share of a backup: registered as a service, it is asked to write its parts
 * (its schema's data, its configuration, its files) whenever a backup is made. A bundle added
 * later is included without any change to the backup bundle.
 *
 * <p>Parts are streamed: write as much as there is, never hold it all in memory. Any exception
 * aborts the backup and the partial file is removed.
 */
@ConsumerType
public interface BackupParticipant {

    /** A short, stable name ({@code [a-z0-9-]+}); the participant's parts are stored as {@code <name>/<part>}. */
    String name();

    /** Writes this participant's parts. */
    void backup(Output out) throws IOException;

    /** Where a participant writes. */
    interface Output {
        /** A new part; close the stream before opening the next. */
        java.io.OutputStream part(String name) throws IOException;
    }
}
