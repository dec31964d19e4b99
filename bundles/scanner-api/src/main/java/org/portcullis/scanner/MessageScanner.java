package org.portcullis.scanner;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scanner that looks at the whole message at once (an antivirus daemon, a spam filter).
 * See {@link Scanner} for lifecycle, threads and time.
 */
@ConsumerType
public interface MessageScanner extends Scanner {

    /**
     * Scans one message. Streams from {@code message} are valid only during this call.
     *
     * @return never {@code null}; see {@link ScanResult} for what each result does to the mail
     * @throws Exception counted as {@link ScanResult.Failed} with the exception's message
     */
    ScanResult scan(Message message) throws Exception;
}
