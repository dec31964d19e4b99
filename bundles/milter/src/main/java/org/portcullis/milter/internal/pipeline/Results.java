package org.portcullis.milter.internal.pipeline;

import org.portcullis.scanner.ScanResult;

/** Orders scan results by how much they say against a message. */
final class Results {

    private Results() {
    }

    /**
     * The worse of two results: infected, then suspicious, then failed (nothing could be said),
     * then spam (the higher score), then clean.
     */
    static ScanResult worse(ScanResult a, ScanResult b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return ra > rb ? a : b;
        }
        if (a instanceof ScanResult.Spam sa && b instanceof ScanResult.Spam sb) {
            return sa.score() >= sb.score() ? a : b;
        }
        return a;
    }

    private static int rank(ScanResult r) {
        if (r instanceof ScanResult.Infected) {
            return 4;
        }
        if (r instanceof ScanResult.Suspicious) {
            return 3;
        }
        if (r instanceof ScanResult.Failed) {
            return 2;
        }
        if (r instanceof ScanResult.Spam) {
            return 1;
        }
        return 0;
    }
}
