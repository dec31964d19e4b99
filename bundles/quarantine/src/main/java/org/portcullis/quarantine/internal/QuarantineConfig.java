package org.portcullis.quarantine.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Portcullis quarantine", description = "Held mail in PostgreSQL, its release over SMTP and its retention")
public @interface QuarantineConfig {

    @AttributeDefinition(description = "The MTA's re-injection listener (see the README: it runs the milter): host")
    String reinject_host() default "127.0.0.1";

    @AttributeDefinition(description = "The MTA's re-injection listener: port")
    int reinject_port() default 10026;

    @AttributeDefinition(description = "The name the release's SMTP session gives in HELO")
    String helo_name() default "portcullis.localhost";

    @AttributeDefinition(description = "Seconds to wait for the listener at each step of a release; longer than the MTA's milter "
            + "timeouts (Postfix: milter_content_timeout, 300 s), so the listener answers first")
    int reinject_timeout_seconds() default 330;

    @AttributeDefinition(description = "Days a held message is kept; then its content is deleted and its held recipients expire")
    int retention_days() default 30;

    @AttributeDefinition(description = "Hours between two digests to one recipient (0: no digests)")
    int digest_hours() default 24;

    @AttributeDefinition(description = "Categories of held mail listed in digests, with release links (sandbox, virus, spam, policy)")
    String digest_categories() default "spam,policy";

    @AttributeDefinition(description = "Domains whose recipients get digests (and their subdomains), comma-separated; empty: every "
            + "recipient with held mail (on a gateway that also filters outbound mail, list your own domains)")
    String digest_domains() default "";

    @AttributeDefinition(description = "The sender of digests")
    String digest_from() default "postmaster@portcullis.localhost";

    @AttributeDefinition(description = "Where release links land: the appliance's HTTPS address as recipients reach it "
            + "(empty: https://<this host's name>:8443)")
    String link_base() default "";

    @AttributeDefinition(description = "Days a release link works")
    int link_days() default 7;
}
