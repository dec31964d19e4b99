package org.portcullis.quarantine.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.portcullis.quarantine.QuarantineException;

class ReleaseLinksTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private final ReleaseLinks links = new ReleaseLinks("a key of thirty-two bytes, made up".getBytes(StandardCharsets.US_ASCII));

    @Test
    void aTokenNamesItsMessageAndRecipientUntilItExpires() {
        String token = links.token(42, "Bob@Corp.Example", NOW.plusSeconds(3600));
        ReleaseLinks.Link link = links.check(token, NOW);
        assertEquals(42, link.message());
        assertEquals("bob@corp.example", link.recipient());
        assertEquals(NOW.plusSeconds(3600), link.expires());
        QuarantineException late = assertThrows(QuarantineException.class, () -> links.check(token, NOW.plusSeconds(3600)));
        assertEquals(QuarantineException.Code.GONE, late.code());
        assertEquals("this release link expired at 2026-12-05T11:00:00Z", late.getMessage());
    }

    @Test
    void aChangedPayloadOrSignatureOrAnotherKeyIsRefusedAlike() {
        String token = links.token(42, "bob@corp.example", NOW.plusSeconds(3600));
        String payload = token.substring(0, token.indexOf('.'));
        String signature = token.substring(token.indexOf('.') + 1);
        // the same signature over another message id
        String other = Base64.getUrlEncoder().withoutPadding().encodeToString(("1\n43\n" + NOW.plusSeconds(3600).getEpochSecond()
                + "\nbob@corp.example").getBytes(StandardCharsets.UTF_8));
        String flipped = signature.substring(0, 5) + (signature.charAt(5) == 'A' ? 'B' : 'A') + signature.substring(6);
        ReleaseLinks otherKey = new ReleaseLinks("another appliance's key, 32 bytes".getBytes(StandardCharsets.US_ASCII));
        for (String forged : new String[] {other + "." + signature, payload + "." + flipped, otherKey.token(42, "bob@corp.example",
                NOW.plusSeconds(3600)), "", "no-dot", payload + ".", "." + signature, payload + "." + signature + ".x", "%%%.###",
                "x".repeat(5000)}) {
            QuarantineException e = assertThrows(QuarantineException.class, () -> links.check(forged, NOW), forged);
            assertEquals(QuarantineException.Code.FORBIDDEN, e.code(), forged);
            assertEquals("this release link is not valid", e.getMessage());
        }
        assertThrows(QuarantineException.class, () -> links.check(null, NOW));
    }

    @Test
    void anotherSpellingOfTheSameSignatureIsTheSameLink() {
        String token = links.token(42, "bob@corp.example", NOW.plusSeconds(3600));
        String signature = token.substring(token.indexOf('.') + 1);
        // 32 bytes in 43 characters: the last one carries 2 spare bits, which a lenient decoder ignores
        char last = signature.charAt(signature.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        String respelled = signature.substring(0, signature.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String other = token.substring(0, token.indexOf('.') + 1) + respelled;
        try {
            assertEquals(links.check(token, NOW).signature(), links.check(other, NOW).signature(),
                    "used-once is kept by the signature the appliance writes");
        } catch (QuarantineException refused) {
            assertEquals(QuarantineException.Code.FORBIDDEN, refused.code(), "or the other spelling is refused outright");
        }
    }
}
