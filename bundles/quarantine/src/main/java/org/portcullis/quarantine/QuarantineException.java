package org.portcullis.quarantine;

/** A quarantine call refused, with one line saying why, and what kind of refusal it is. */
public class QuarantineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * What kind of refusal: the REST API answers 400, 404, 403, 503 and 410 for them ({@code GONE}:
     * a release link that expired or was used already; since 1.2).
     */
    public enum Code { INVALID, NOT_FOUND, FORBIDDEN, UNAVAILABLE, GONE }

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
