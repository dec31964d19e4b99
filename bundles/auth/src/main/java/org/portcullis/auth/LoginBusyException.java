package org.portcullis.auth;

import java.time.Duration;

/**
 * A login refused before its password was looked at because as many passwords as the store
 * checks at once were being checked already (each check holds about 19 MiB and a core for a
 * moment). Nothing was counted against the account; trying again shortly is expected to work.
 * The REST API answers it 429 with {@code Retry-After}.
 */
public class LoginBusyException extends LoginFailedException {

    private static final long serialVersionUID = 1L;

    public LoginBusyException(Duration retryAfter) {
        super("Login refused for now: too many logins are being checked at once; try again in a moment", retryAfter);
    }
}
