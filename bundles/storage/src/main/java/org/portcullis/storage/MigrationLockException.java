package org.portcullis.storage;

/** Another node held the migration lock for longer than the configured wait. */
public class MigrationLockException extends MigrationException {
    private static final long serialVersionUID = 1L;

    public MigrationLockException(String message) {
        super(message);
    }
}
