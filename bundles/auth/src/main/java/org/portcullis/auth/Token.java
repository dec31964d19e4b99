package org.portcullis.auth;

import java.time.Instant;

/**
 * A session token: shown once to whoever logged in, stored only as a hash.
 *
 * @param value the bearer token ({@code Authorization: Bearer <value>})
 * @param expires when it stops working
 */
public record Token(String value, Instant expires) {

    @Override
    public String toString() {
        return "Token[expires=" + expires + "]"; // never the value: it could end up in a log
    }
}
