package org.portcullis.storage;

/** A schema could not be brought to the version its bundle needs; nothing of the failed step was applied. */
public class MigrationException extends StorageException {
    private static final long serialVersionUID = 1L;

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
