package org.portcullis.acme;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Publishes the TXT records of ACME DNS-01 challenges at a DNS provider. A bundle registers one as
 * a service with the property {@value #NAME}; the ACME configuration's {@code dns.solver} picks
 * it. Called from the thread ordering a certificate, one challenge at a time; each call should end
 * within a minute.
 */
@ConsumerType
public interface DnsChallengeSolver {

    /** Service property: the solver's name, as {@code dns.solver} names it. */
    String NAME = "portcullis.dns.solver";

    /**
     * Publishes {@code value} as a TXT record of {@code name} (e.g. {@code _acme-challenge.mail.example.com.})
     * and returns once the provider has it; the CA then looks it up.
     *
     * @throws Exception with a one-line reason when the provider refused or did not answer
     */
    void present(String name, String value) throws Exception;

    /** Removes the record {@link #present} published; called whatever the validation's outcome. */
    void cleanUp(String name, String value) throws Exception;
}
