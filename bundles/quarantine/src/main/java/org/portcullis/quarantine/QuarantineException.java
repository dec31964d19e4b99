package org.portcullis.quarantine;

/** A quarantine call refused, with one line saying why, and what kind of refusal it is. */
public class QuarantineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of refusal: the REST API answers 400, 404, 403 and 503 for them. */
    public enum Code { INVALID, NOT_FOUND, FORBIDDEN, UNAVAILABLE }

    private final Code code;

    public QuarantineException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public QuarantineException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
