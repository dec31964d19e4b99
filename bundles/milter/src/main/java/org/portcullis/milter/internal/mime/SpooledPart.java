package org.portcullis.milter.internal.mime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import org.portcullis.milter.internal.spool.MessageSpool;
import org.portcullis.scanner.Part;

/** A part whose decoded content waits in its own spool (memory, or a private file when large); its real type is detected when first asked. */
public final class SpooledPart implements Part, AutoCloseable {

    private final String path;
    private final String declaredType;
    /** Tika's answer, worked out on the first call (null until then): most scanners never ask, and it is costly. */
    private volatile String detectedType;
    private final Optional<String> filename;
    private final MessageSpool content;

    /** @param detectedType the type if known already (containers), else {@code null} to detect it when asked */
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
        String t = detectedType;
        if (t == null) {
            try (InputStream in = open()) {
                t = MimeParts.detect(in);
            } catch (IOException | RuntimeException e) {
                // unreadable now (an interrupted scanner's read): claims nothing, and is not kept for the others
                return "application/octet-stream";
            }
            detectedType = t;
        }
        return t;
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
