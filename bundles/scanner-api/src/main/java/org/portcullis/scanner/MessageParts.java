package org.portcullis.scanner;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Splits a whole message into its MIME parts exactly as {@link PartScanner}s see them (decoded,
 * with their declared and detected types and file names), for code that looks at a message
 * outside the mail path, such as the sandbox analysing held mail. The milter registers it.
 */
@ProviderType
public interface MessageParts {

    /**
     * @param raw the message: headers, blank line, body
     * @return its parts; close it to delete their spooled content
     * @throws IOException when {@code raw} cannot be read or spooled
     */
    Parsed parse(InputStream raw) throws IOException;

    /** A message's parts, spooled until closed. */
    interface Parsed extends AutoCloseable {
        List<Part> parts();

        @Override
        void close();
    }
}
