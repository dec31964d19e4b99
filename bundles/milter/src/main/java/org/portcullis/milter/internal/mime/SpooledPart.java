package org.portcullis.milter.internal.mime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import org.portcullis.milter.internal.spool.MessageSpool;
import org.portcullis.scanner.Part;

/** A part whose decoded content waits in its own spool (memory, or a private file when large). */
public final class SpooledPart implements Part, AutoCloseable {

    private final String path;
    private final String declaredType;
    private final String detectedType;
    private final Optional<String> filename;
    private final MessageSpool content;

    SpooledPart(String path, String declaredType, String detectedType, Optional<String> filename, MessageSpool content) {
        this.path = path;
        this.declaredType = declaredType;
        this.detectedType = detectedType;
        this.filename = filename;
        this.content = content;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String declaredType() {
        return declaredType;
    }

    @Override
    public String detectedType() {
        return detectedType;
    }

    @Override
    public Optional<String> filename() {
        return filename;
    }

    @Override
    public long size() {
        return content == null ? 0 : content.size();
    }

    @Override
    public boolean container() {
        return content == null;
    }

    @Override
    public InputStream open() throws IOException {
        return content == null ? InputStream.nullInputStream() : content.openStream();
    }

    @Override
    public void close() {
        if (content != null) {
            content.close();
        }
    }
}
