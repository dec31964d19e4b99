package org.portcullis.quarantine.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.portcullis.policy.MessageHold;

/**
 * The {@value MessageHold#RELEASE_HEADER} header of a released copy: {@code <id>.<nonce>.<signature>},
 * the signature (HMAC-SHA256 under the appliance's key) over the quarantine id, the nonce and the
 * Message-ID. If the copy passes the milter again, the header lets it through once instead of
 * holding it a second time; the nonce is what "once" is recorded by ({@code release_passes}).
 */
final class ReleaseHeader {

    /** A header whose signature checked out. */
    record Pass(long message, String nonce) {
    }

    /** A new header: its nonce, and the line (CRLF-terminated) that carries it. */
    record Stamp(String nonce, String line) {
    }

    private static final Pattern FORM = Pattern.compile("(\\d{1,18})\\.([A-Za-z0-9_-]{22})\\.([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Signer signer;

    ReleaseHeader(byte[] key) {
        this.signer = new Signer(key, "portcullis released copy");
    }

    /** A new header for a copy of message {@code id} with {@code messageId}. */
    Stamp stamp(long id, String messageId) {
        byte[] n = new byte[16];
        RANDOM.nextBytes(n);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(n);
        return new Stamp(nonce, MessageHold.RELEASE_HEADER + ": " + id + "." + nonce + "." + signer.sign(signed(id, nonce, messageId)) + "\r\n");
    }

    /** The release {@code value} names, if it is this appliance's for the message {@code messageId}. */
    Optional<Pass> check(String value, String messageId) {
        Matcher m = FORM.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long id = Long.parseLong(m.group(1));
        String nonce = m.group(2);
        return signer.verify(signed(id, nonce, messageId), m.group(3)) ? Optional.of(new Pass(id, nonce)) : Optional.empty();
    }

    private static byte[] signed(long id, String nonce, String messageId) {
        return (id + "\n" + nonce + "\n" + (messageId == null ? "" : messageId.strip())).getBytes(StandardCharsets.UTF_8);
    }
}
