package org.portcullis.scanner.testkit;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Optional;

import org.portcullis.scanner.Part;

/** A part of a {@link TestMessage}: content held in memory. */
record TestPart(String path, String declaredType, String detectedType, Optional<String> filename, byte[] content,
        boolean container) implements Part {

    @Override
    public long size() {
        return content.length;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(content);
    }
}
