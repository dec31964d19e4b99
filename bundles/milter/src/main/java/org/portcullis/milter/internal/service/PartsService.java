package org.portcullis.milter.internal.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.portcullis.milter.internal.mime.MimeParts;
import org.portcullis.milter.internal.mime.SpooledPart;
import org.portcullis.scanner.MessageParts;
import org.portcullis.scanner.Part;

/**
 * The milter's MIME splitter as a service: the same parts the part scanners get, for the sandbox.
 * Parts larger than 64 KiB are spooled under {@code data/portcullis/parts-spool} (apart from the
 * mail path's spool); files an earlier run left there are removed when it starts.
 */
@Component(service = MessageParts.class)
public class PartsService implements MessageParts {

    private static final int MEMORY_LIMIT = 64 * 1024;

    private Path spool;

    @Activate
    void activate() throws IOException {
        spool = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "parts-spool");
        java.nio.file.Files.createDirectories(spool);
        org.portcullis.milter.internal.spool.MessageSpool.removeLeftovers(spool);
    }

    /** For tests: parts spooled under {@code directory}. */
    static PartsService in(Path directory) {
        PartsService s = new PartsService();
        s.spool = directory;
        return s;
    }

    @Override
    public Parsed parse(InputStream raw) throws IOException {
        List<SpooledPart> parts = MimeParts.parse(raw, spool, MEMORY_LIMIT);
        return new Parsed() {
            @Override
            public List<Part> parts() {
                return List.copyOf(parts);
            }

            @Override
            public void close() {
                parts.forEach(SpooledPart::close);
            }
        };
    }
}
