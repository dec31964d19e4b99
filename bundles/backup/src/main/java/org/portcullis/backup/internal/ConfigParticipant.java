package org.portcullis.backup.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.portcullis.backup.BackupParticipant;

/** The Portcullis configuration: every {@code etc/org.portcullis.*.cfg}, one part each ({@code etc/<file>}). */
final class ConfigParticipant implements BackupParticipant {

    private final Path etc;

    ConfigParticipant(Path etc) {
        this.etc = etc;
    }

    @Override
    public String name() {
        return "config";
    }

    @Override
    public void backup(Output out) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(etc)) {
            files = list.filter(p -> p.getFileName().toString().matches("org\\.portcullis\\..*\\.cfg")).sorted().toList();
        }
        for (Path f : files) {
            try (OutputStream o = out.part("etc/" + f.getFileName())) {
                Files.copy(f, o);
            }
        }
    }
}
