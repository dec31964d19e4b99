package org.portcullis.auth;

import java.time.Duration;

/**
 * A failed login. The message is the same whether the account is unknown, the password wrong or
 * the account or source locked out, so that it never reveals which accounts exist.
 */
public class LoginFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public LoginFailedException(Duration retryAfter) {
        this("Login failed: wrong user name or password, or too many failed attempts; try again later", retryAfter);
    }

    protected LoginFailedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** How long until the next attempt can succeed (zero when not locked out). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
