package org.portcullis.acme;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The appliance's ACME certificates: one account at the configured CA, one certificate for the
 * names asked for, used by the HTTPS API and by Postfix on every node, renewed on time by the
 * Primary. The callers check the {@code certificates} right.
 */
@ProviderType
public interface Certificates {

    /** Where things stand. */
    CertificateStatus status();

    /**
     * Creates the account at the CA (or finds the one this key has), with {@code contact} (an
     * e-mail address). The CA's terms of service must be agreed to by the admin: {@code agreed}
     * false refuses and names the terms' URL.
     *
     * @return one line: the account's URL and the terms agreed to
     */
    String account(String contact, boolean agreed, String by);

    /**
     * Orders a certificate for {@code names} now and installs it; the names become the ones
     * renewals ask for. A name the CA does not validate is reported on its own; when others
     * validate, the certificate is issued for those and the status says which were left out.
     *
     * @return one line per name, and one for the certificate
     */
    List<String> order(List<String> names, String by);

    /**
     * Renews now when due, or with {@code force} whatever the dates; after failures not before the
     * back-off has passed, nor before a {@code Retry-After} the CA sent.
     */
    List<String> renew(boolean force, String by);

    /** Revokes the current certificate at the CA; it stays installed until a new one replaces it. */
    String revoke(String by);
}
