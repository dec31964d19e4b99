package org.portcullis.milter.internal.session;

import java.time.Duration;

/**
 * What one peer may make the milter hold, whoever that peer is: Postfix's own limits do not
 * protect the milter from a process that is not Postfix, or from a misconfigured one.
 *
 * @param maxConnections connections open at once; more are closed as they arrive
 * @param maxFrameLength largest frame accepted (command code and payload)
 * @param frameTimeout a frame must arrive whole within this time of its first byte, however
 *        steadily its bytes trickle in
 * @param maxMacroBytes names and values of the macros kept for one connection (only the current
 *        stages' macros are kept)
 * @param maxHeaderBytes header bytes of one message (a header also costs {@link #HEADER_OVERHEAD})
 * @param maxMessageBytes bytes of one message, headers and body; more is refused with
 *        {@code 552 5.3.4} at its end, and nothing beyond the limit is kept
 */
public record Limits(int maxConnections, int maxFrameLength, Duration frameTimeout, int maxMacroBytes, long maxHeaderBytes,
        long maxMessageBytes) {

    /** What a header costs beyond its bytes: the objects that keep it. */
    public static final int HEADER_OVERHEAD = 32;

    /** Generous limits for tests that are not about limits. */
    public static Limits generous(int maxFrameLength) {
        return new Limits(10_000, maxFrameLength, Duration.ofMinutes(10), 1 << 20, 16L << 20, 1L << 40);
    }
}
