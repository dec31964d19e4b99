package org.portcullis.tracking;

/** A search refused (a malformed filter) or not answered (the database), in one line. */
public class TrackingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Whether the caller asked for something malformed (else the database failed). */
    private final boolean invalid;

    public TrackingException(boolean invalid, String message) {
        super(message);
        this.invalid = invalid;
    }

    public boolean invalid() {
        return invalid;
    }
}
