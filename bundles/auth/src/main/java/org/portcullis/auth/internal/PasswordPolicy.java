package org.portcullis.auth.internal;

import java.util.Locale;

import org.portcullis.auth.AuthException;

/**
 * The rules a new password must keep. Each refusal names the rule it broke. Length is what
 * matters most against guessing (NIST SP 800-63B): no composition rules, but a floor on length,
 * a ceiling (hashing a megabyte is a denial of service), and two checks against the laziest
 * choices.
 */
public final class PasswordPolicy {

    static final int MAX_LENGTH = 256;
    static final int MIN_DISTINCT = 5;

    private final int minLength;

    public PasswordPolicy(int minLength) {
        this.minLength = minLength;
    }

    /** @throws AuthException (weak_password) naming the broken rule */
    public void check(String account, char[] password) {
        if (password.length < minLength) {
            throw weak("it must be at least " + minLength + " characters long (it has " + password.length + ")");
        }
        if (password.length > MAX_LENGTH) {
            throw weak("it must be at most " + MAX_LENGTH + " characters long");
        }
        if (distinct(password) < MIN_DISTINCT) {
            throw weak("it must contain at least " + MIN_DISTINCT + " different characters");
        }
        if (account != null && account.length() >= 3 && containsIgnoreCase(password, account.toLowerCase(Locale.ROOT))) {
            throw weak("it must not contain the account name");
        }
        for (char c : password) {
            if (Character.isISOControl(c)) {
                throw weak("it must not contain control characters");
            }
        }
    }

    // no String copies of the password: those could not be wiped
    private static int distinct(char[] password) {
        java.util.BitSet seen = new java.util.BitSet();
        for (char c : password) {
            seen.set(c);
        }
        return seen.cardinality();
    }

    private static boolean containsIgnoreCase(char[] password, String lowerNeedle) {
        outer:
        for (int i = 0; i + lowerNeedle.length() <= password.length; i++) {
            for (int j = 0; j < lowerNeedle.length(); j++) {
                if (Character.toLowerCase(password[i + j]) != lowerNeedle.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static AuthException weak(String rule) {
        return new AuthException(AuthException.Code.WEAK_PASSWORD, "Password refused: " + rule);
    }
}
