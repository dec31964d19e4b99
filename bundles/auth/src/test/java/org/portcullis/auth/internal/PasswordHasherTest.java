package org.portcullis.auth.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = PasswordHasher.defaults();

    @Test
    void aHashIsArgon2idWithItsParametersAndVerifiesOnlyTheRightPassword() {
        String stored = hasher.hash("correct horse battery".toCharArray());
        assertTrue(stored.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), stored);
        assertTrue(hasher.verify("correct horse battery".toCharArray(), stored));
        assertFalse(hasher.verify("correct horse batterY".toCharArray(), stored));
        assertFalse(hasher.verify("".toCharArray(), stored));
    }

    @Test
    void theSamePasswordHashesDifferentlyEachTime() {
        assertNotEquals(hasher.hash("same password 1".toCharArray()), hasher.hash("same password 1".toCharArray()));
    }

    @Test
    void weakerOldHashesStillVerifyAndAskForARehash() {
        String old = new PasswordHasher(1024, 1, 1).hash("an older password".toCharArray());
        assertTrue(hasher.verify("an older password".toCharArray(), old));
        assertTrue(hasher.needsRehash(old));
        assertFalse(hasher.needsRehash(hasher.hash("a newer password".toCharArray())));
    }

    @Test
    void aMalformedStoredValueNeverMatches() {
        assertFalse(hasher.verify("x".toCharArray(), null));
        assertFalse(hasher.verify("x".toCharArray(), "x"));
        assertFalse(hasher.verify("x".toCharArray(), "$argon2id$v=19$m=1,t=1,p=1$$"));
    }
}
