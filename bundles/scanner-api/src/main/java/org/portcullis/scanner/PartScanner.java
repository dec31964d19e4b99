package org.portcullis.scanner;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scanner that looks at one MIME part at a time (an attachment-type check, a document
 * analyser). It is called for every part of every message, nested parts included, possibly
 * for several parts of one message at once. See {@link Scanner} for lifecycle, threads and time.
 */
@ConsumerType
public interface PartScanner extends Scanner {

    /**
     * Scans one part. Streams from {@code message} and {@code part} are valid only during this call.
     *
     * @return never {@code null}; the worst result over all parts counts for the message
     * @throws Exception counted as {@link ScanResult.Failed} with the exception's message
     */
    ScanResult scan(Message message, Part part) throws Exception;
}
