package org.portcullis.storage;

/**
 * An already applied migration differs from the script the bundle ships: somebody edited a
 * released migration, or the file is corrupt. The bundle must not start on such a schema.
 */
public class ChecksumMismatchException extends MigrationException {
    private static final long serialVersionUID = 1L;

    public ChecksumMismatchException(String message) {
        super(message);
    }
}
