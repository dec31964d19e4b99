package org.portcullis.acme.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** PID {@code org.portcullis.acme}. */
@ObjectClassDefinition(name = "Portcullis ACME certificates")
@interface AcmeConfig {

    @AttributeDefinition(description = "The CA's ACME directory URL")
    String directory_url() default "https://acme-v02.api.letsencrypt.org/directory";

    @AttributeDefinition(description = "PEM file of the CA certificates trusted for the directory's HTTPS (a private CA); empty: the JVM's trust store")
    String directory_trust() default "";

    @AttributeDefinition(description = "http-01 (a responder on http.port) or dns-01 (through the DnsChallengeSolver named by dns.solver)")
    String challenge() default "http-01";

    @AttributeDefinition(description = "The address the HTTP-01 responder listens on while a certificate is ordered; empty: every address")
    String http_address() default "";

    @AttributeDefinition(description = "The port of the HTTP-01 responder (the CA asks port 80; another port needs a forward from 80)")
    int http_port() default 80;

    @AttributeDefinition(description = "dns-01: the solver's name (service property portcullis.dns.solver)")
    String dns_solver() default "";

    @AttributeDefinition(description = "The file Postfix reads (smtpd_tls_chain_files): the key, then the certificate and its chain; empty: Postfix is left alone")
    String postfix_chain_file() default "";

    @AttributeDefinition(description = "The command that makes Postfix read the file again (words split on spaces, no shell), e.g. /usr/sbin/postfix reload")
    String postfix_reload_command() default "/usr/sbin/postfix reload";

    @AttributeDefinition(description = "The command whose exit status 0 says Postfix runs (a stopped Postfix is left alone); empty: not asked")
    String postfix_status_command() default "/usr/sbin/postfix status";

    @AttributeDefinition(description = "host:port where Postfix offers STARTTLS, to prove the new certificate served; empty: not checked")
    String postfix_check() default "127.0.0.1:25";

    @AttributeDefinition(description = "Seconds to wait for each validation and for the certificate")
    int timeout_seconds() default 120;

    @AttributeDefinition(description = "Minutes between renewal checks (on the Primary); every node checks each minute what it has to install")
    int check_minutes() default 60;

    @AttributeDefinition(description = "Back-off after the first failed try, in seconds; doubled per failure, ±20 %")
    int backoff_seconds() default 900;

    @AttributeDefinition(description = "The longest back-off, in hours")
    int backoff_max_hours() default 24;

    @AttributeDefinition(description = "Days before expiry from which the mail log warns at each renewal check")
    int warn_days() default 14;
}
