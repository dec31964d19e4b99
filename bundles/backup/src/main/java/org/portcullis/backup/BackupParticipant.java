package org.portcullis.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's share of a backup beyond its database schema (which is in every backup already):
 * its files, such as keys and certificates. Registered as a service, it is asked to write its
 * parts whenever a backup is made, and to put them back when one is restored. A bundle added
 * later is included without any change to the backup bundle.
 *
 * <p>Threads: called from the thread making or restoring the backup, one operation at a time.
 */
@ConsumerType
public interface BackupParticipant {

    /** A short, stable name ({@code [a-z0-9-]+}); the participant's parts are stored as {@code <name>/<part>}. */
    String name();

    /**
     * Writes this participant's parts. Parts are streamed: write as much as there is, never
     * hold it all in memory. Any exception aborts the backup and the partial file is removed.
     */
    void backup(Output out) throws IOException;

    /**
     * Puts back the parts this participant wrote to a backup. Called only after the whole file
     * has been verified and the database restored and committed, so the parts are authentic
     * and the data they go with is in place. If the node stops before the restore is complete,
     * this is called again with the same parts when it starts: replace, never append. A backup
     * holding parts of a participant this system lacks is refused before anything changes.
     * The default does nothing.
     */
    default void restore(Input in) throws IOException {
    }

    /** Where a participant writes. */
    interface Output {
        /** A new part; close the stream before opening the next. */
        OutputStream part(String name) throws IOException;
    }

    /** This participant's parts of the backup being restored. */
    interface Input {
        /** The part names, as given to {@link Output#part}, sorted. */
        List<String> parts();

        /** A part's bytes. */
        InputStream open(String part) throws IOException;
    }
}
