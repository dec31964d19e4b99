package org.portcullis.sandbox.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Optional;

import org.portcullis.scanner.Part;

/** An attachment in memory, as the analysers' tests give them. */
record TestPart(String path, String declaredType, String detectedType, Optional<String> filename, byte[] content) implements Part {

    static TestPart of(String filename, String detectedType, byte[] content) {
        return new TestPart("1." + Math.abs(filename.hashCode() % 100), "application/octet-stream", detectedType, Optional.of(filename), content);
    }

    @Override
    public long size() {
        return content.length;
    }

    @Override
    public boolean container() {
        return false;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(content);
    }
}
