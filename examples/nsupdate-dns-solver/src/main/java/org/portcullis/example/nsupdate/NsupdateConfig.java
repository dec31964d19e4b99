package org.portcullis.example.nsupdate;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** PID {@code org.portcullis.example.nsupdate}. */
@ObjectClassDefinition(name = "Portcullis example: nsupdate DNS-01 solver")
@interface NsupdateConfig {

    @AttributeDefinition(description = "The DNS server that takes the updates (the zone's primary)")
    String server();

    @AttributeDefinition(description = "Its port")
    int port() default 53;

    @AttributeDefinition(description = "The zone the records are in; empty: nsupdate finds it from the SOA")
    String zone() default "";

    @AttributeDefinition(description = "The TSIG key file (tsig-keygen's output) the server allows updates with")
    String key_file();

    @AttributeDefinition(description = "The TTL of the TXT records, in seconds")
    int ttl() default 60;

    @AttributeDefinition(description = "Seconds to wait after an update before the CA is asked to look (the zone's secondaries catching up)")
    int propagation_seconds() default 0;

    @AttributeDefinition(description = "The nsupdate program")
    String nsupdate() default "/usr/bin/nsupdate";
}
