package org.portcullis.auth;

/**
 * Why an account operation was refused, in one line fit for an admin (it never contains a
 * password). {@link #code()} is stable and becomes the {@code error} field of REST errors.
 */
public class AuthException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Kinds of refusal. */
    public enum Code {
        /** A name, role, right, scope or value is malformed. */
        INVALID("invalid"),
        /** The password breaks a rule; the message names the rule. */
        WEAK_PASSWORD("weak_password"),
        DUPLICATE("duplicate"),
        NOT_FOUND("not_found"),
        /** The caller lacks the right (or the scope) for this. */
        FORBIDDEN("forbidden"),
        /** The operation would leave the system without an admin. */
        LAST_ADMIN("last_admin"),
        /** The database could not be reached or refused the change; nothing was changed. */
        UNAVAILABLE("unavailable");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Code code;

    public AuthException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public AuthException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
