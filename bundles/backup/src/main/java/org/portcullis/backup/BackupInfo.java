package org.portcullis.backup;

import java.nio.file.Path;
import java.util.List;

/**
 * What a backup holds, as made or as verified.
 *
 * @param file where it is
 * @param header its clear header
 * @param parts the names of its parts, in order
 * @param payloadBytes bytes in the parts (before encryption)
 * @param fileBytes size of the file
 */
public record BackupInfo(Path file, BackupHeader header, List<String> parts, long payloadBytes, long fileBytes) {
}
