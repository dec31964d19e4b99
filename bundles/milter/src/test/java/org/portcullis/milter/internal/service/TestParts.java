package org.portcullis.milter.internal.service;

import java.nio.file.Path;

import org.portcullis.scanner.MessageParts;

/** The milter's MIME splitter for other bundles' tests (the test-jar). */
public final class TestParts {

    private TestParts() {
    }

    /** Splits messages as the milter does, spooling large parts under {@code directory}. */
    public static MessageParts in(Path directory) {
        return PartsService.in(directory);
    }
}
