package org.portcullis.updater.pkg;

/** An update package, or what it is checked against, is wrong; the message is one line naming what. */
public class PackageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PackageException(String message) {
        super(message);
    }

    public PackageException(String message, Throwable cause) {
        super(message, cause);
    }
}
