package org.portcullis.sandbox;

import java.time.Duration;

import org.osgi.annotation.versioning.ConsumerType;
import org.portcullis.scanner.Part;

/**
 * Analyses one attachment of a message the sandbox holds. Register an implementation as an OSGi
 * service; every attachment (a {@link Part} that is not a container) of every held message is
 * given to every analyser present, all of them at once on the sandbox's bounded pool.
 *
 * <p><b>Contract.</b>
 * <ul>
 *   <li>Return {@link Finding#clean()} or {@link Finding#malicious(String)} within
 *       {@link #deadline()}. When the deadline passes, the call counts as failed and its thread
 *       is interrupted: check {@link Thread#interrupted()} in long loops and let interrupted I/O
 *       end.</li>
 *   <li>Throw when the analysis could not be done (a crash, a missing engine): the whole
 *       message's analysis is retried later, with back-off; after the configured number of
 *       failures (5 by default) the message is released unanalysed, with a mail-log line. Content
 *       that is unreadable or past a limit is not a failure: say {@code malicious} with the
 *       reason, so it is never released by failing.</li>
 *   <li>Called concurrently, for many attachments and messages: keep no per-call state in
 *       fields. Read the content with {@link Part#open()}, as often as needed; never keep it.</li>
 * </ul>
 */
@ConsumerType
public interface SandboxAnalyzer {

    /** A short, stable name (letters, digits, '-'), shown in findings and logs. */
    String name();

    /** How long one call may take. */
    default Duration deadline() {
        return Duration.ofSeconds(60);
    }

    Finding analyze(Part attachment) throws Exception;
}
