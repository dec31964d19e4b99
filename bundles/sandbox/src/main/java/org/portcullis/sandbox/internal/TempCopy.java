package org.portcullis.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Content an analyser's library can only read from a file (PDFBox, POI, a ZIP's central
 * directory, 7z): copied to a temporary file that is deleted when the use of it ends.
 */
final class TempCopy {

    /** What is done with the copy. */
    interface Use<T> {
        T with(Path copy) throws IOException;
    }

    private TempCopy() {
    }

    /** {@code in} copied to a temporary file ending in {@code suffix}, given to {@code use}, then deleted. */
    static <T> T of(InputStream in, String suffix, Use<T> use) throws IOException {
        Path copy = Files.createTempFile("portcullis-sandbox-", suffix);
        try {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return use.with(copy);
        } finally {
            Files.deleteIfExists(copy);
        }
    }
}
