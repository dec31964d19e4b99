package org.portcullis.quarantine.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

import org.portcullis.quarantine.QuarantineException;

/**
 * Release links: a token naming one recipient of one held message and when it expires, signed
 * with HMAC-SHA256 under the appliance's key (kept in the quarantine's database, so every node of
 * a cluster signs and checks alike). The token is {@code <payload>.<signature>}, both base64url;
 * the payload is {@code 1}, the message id, the expiry (epoch seconds) and the recipient, one per
 * line. Whether a link was used is the store's business ({@code link_uses}); this class only
 * makes and checks tokens.
 */
final class ReleaseLinks {

    /** A link whose signature checked out. */
    record Link(long message, String recipient, Instant expires, String signature) {
    }

    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private static final int MAX_TOKEN = 2048;

    private final Signer signer;

    ReleaseLinks(byte[] key) {
        this.signer = new Signer(key, "portcullis release link");
    }

    String token(long message, String recipient, Instant expires) {
        byte[] payload = ("1\n" + message + "\n" + expires.getEpochSecond() + "\n" + recipient.toLowerCase(Locale.ROOT))
                .getBytes(StandardCharsets.UTF_8);
        return ENCODE.encodeToString(payload) + "." + signer.sign(payload);
    }

    /**
     * The link {@code token} names, if its signature is the appliance's and it has not expired at {@code now}.
     *
     * @throws QuarantineException forbidden (a token that is malformed or not signed by this
     *         appliance: the same answer for both, so a forger learns nothing), gone (expired)
     */
    Link check(String token, Instant now) {
        QuarantineException forged = new QuarantineException(QuarantineException.Code.FORBIDDEN, "this release link is not valid");
        if (token == null || token.length() > MAX_TOKEN) {
            throw forged;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw forged;
        }
        byte[] payload;
        try {
            payload = DECODE.decode(token.substring(0, dot));
        } catch (IllegalArgumentException e) {
            throw forged;
        }
        if (!signer.verify(payload, token.substring(dot + 1))) {
            throw forged;
        }
        String[] fields = new String(payload, StandardCharsets.UTF_8).split("\n", 4);
        if (fields.length != 4 || !fields[0].equals("1")) {
            throw forged; // signed by us, but in a form this version does not make
        }
        Instant expires = Instant.ofEpochSecond(Long.parseLong(fields[2]));
        if (!now.isBefore(expires)) {
            throw new QuarantineException(QuarantineException.Code.GONE, "this release link expired at " + expires);
        }
        // the signature as this appliance writes it, not as given: another spelling of the same bytes is the same link
        return new Link(Long.parseLong(fields[1]), fields[3], expires, signer.sign(payload));
    }
}
