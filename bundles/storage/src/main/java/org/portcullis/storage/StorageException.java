package org.portcullis.storage;

/** Root of the storage errors. Messages name the object at fault and never carry a password. */
public class StorageException extends Exception {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
