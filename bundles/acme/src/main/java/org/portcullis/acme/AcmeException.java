package org.portcullis.acme;

/** A certificate operation refused or failed, with one line saying why, and what kind of failure it is. */
public class AcmeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind: bad input, nothing there, not allowed, the CA or the database not answering, another operation running. */
    public enum Code { INVALID, NOT_FOUND, FORBIDDEN, UNAVAILABLE, BUSY }

    private final Code code;

    public AcmeException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public AcmeException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
