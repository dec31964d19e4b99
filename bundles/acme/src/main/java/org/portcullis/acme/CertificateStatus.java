package org.portcullis.acme;

import java.time.Instant;
import java.util.List;

/**
 * What the appliance's certificate is and will do: the account, the names asked for with each
 * one's last outcome, the certificate issued last, when it renews, and the last failure.
 *
 * @param directory the CA's directory URL
 * @param account the account's URL at the CA, empty when there is none yet
 * @param contact the account's contact address, empty when none
 * @param names each name asked for, with its outcome
 * @param certificate the certificate issued last, or null
 * @param renewAt when the next renewal is due (ARI window or a third of the lifetime left), or null
 * @param nextTry the earliest next try after failures (back-off, the CA's Retry-After), or null
 * @param failures failed tries in a row
 * @param lastError the last failure, one line, empty after a success
 * @param installed what this node serves: {@code https <serial>}, {@code postfix <serial>}, each with an error if it failed
 */
public record CertificateStatus(String directory, String account, String contact, List<NameStatus> names, Issued certificate,
        Instant renewAt, Instant nextTry, int failures, String lastError, List<String> installed) {

    /** A name asked for: {@code state} is {@code pending}, {@code valid} (validated and in the certificate) or {@code failed}, with the CA's reason. */
    public record NameStatus(String name, String state, String detail, Instant updated) {
    }

    /** An issued certificate: its names, serial (hex), validity, issuer. */
    public record Issued(long id, List<String> names, String serial, Instant notBefore, Instant notAfter, String issuer, Instant issued) {
    }
}
