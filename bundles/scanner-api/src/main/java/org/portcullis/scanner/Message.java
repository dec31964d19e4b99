package org.portcullis.scanner;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only view of one message, as Portcullis received it. Everything here is valid only
 * during the scanner call it was passed to. Thread-safe: several scanners read one message at
 * the same time, each with its own streams.
 */
@ProviderType
public interface Message {

    /** Sender, recipients, the SMTP client and the MTA's macros. */
    Envelope envelope();

    /** The headers in the order received, values unfolded as sent (without the leading space). */
    List<Header> headers();

    /** Every MIME part, depth first (the root first; for a single-part message just the root). */
    List<Part> parts();

    /** The raw message (headers, blank line, body) as received; a new stream on each call. */
    InputStream openRaw() throws IOException;

    /** The size of the raw message in bytes. */
    long size();

    /** One header line. */
    record Header(String name, String value) {
    }
}
