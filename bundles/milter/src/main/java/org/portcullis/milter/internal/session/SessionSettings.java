package org.portcullis.milter.internal.session;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How each milter connection behaves.
 *
 * @param limits what one peer may make the milter hold
 * @param spoolDirectory where messages larger than {@code spoolMemoryLimit} are spooled
 * @param spoolMemoryLimit bytes of a message kept on the heap before it goes to a file
 * @param actions actions asked for in negotiation (granted only if the MTA offers them)
 * @param protocol protocol steps asked for in negotiation
 * @param idleTimeout how long the MTA may stay silent (mid-frame or between commands) before the
 *        connection is closed; not counted while Portcullis itself is deciding
 * @param progressInterval how often progress is sent while the end-of-message decision is pending
 * @param mailLog where each message's (and each refused recipient's) record goes ({@link MailLog#SLF4J})
 */
public record SessionSettings(Limits limits, Path spoolDirectory, int spoolMemoryLimit, int actions,
        int protocol, Duration idleTimeout, Duration progressInterval, java.util.function.Consumer<org.portcullis.policy.MessageRecord> mailLog) {
}
