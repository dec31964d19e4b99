package org.portcullis.milter.internal.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Portcullis milter", description = "The milter Postfix hands every message to")
@interface MilterConfig {

    @AttributeDefinition(description = "Address to listen on (Postfix: smtpd_milters = inet:ADDRESS:PORT)")
    String address() default "127.0.0.1";

    @AttributeDefinition(description = "TCP port to listen on")
    int port() default 11340;

    @AttributeDefinition(description = "A unix socket to listen on instead of address and port (Postfix: smtpd_milters = "
            + "unix:PATH, relative to Postfix's chroot if smtpd runs in one); empty: TCP", required = false)
    String socket() default "";

    @AttributeDefinition(description = "Permissions of the unix socket file, octal: Postfix's smtpd must be able to write to it "
            + "(put the Postfix user in the Portcullis group, or use 0666 on a host with no untrusted local users)")
    String socket_mode() default "0660";

    @AttributeDefinition(description = "Where large messages and attachments are spooled; empty means ${karaf.data}/portcullis/spool",
            required = false)
    String spool_directory() default "";

    @AttributeDefinition(description = "Bytes of a message or part kept on the heap before it goes to a spool file")
    int spool_memory_bytes() default 1024 * 1024;

    @AttributeDefinition(description = "Largest milter frame accepted from the MTA, in bytes")
    int max_frame_bytes() default 2 * 1024 * 1024;

    @AttributeDefinition(description = "Milter connections open at once; more are closed as they arrive (one log line a minute)")
    int max_connections() default 512;

    @AttributeDefinition(description = "Largest message (headers and body), in bytes; a larger one is refused with 552 5.3.4. "
            + "Keep it above Postfix's message_size_limit (10240000 by default)")
    long max_message_bytes() default 50L * 1024 * 1024;

    @AttributeDefinition(description = "Header bytes of one message; more is refused with 552 5.3.4")
    long max_header_bytes() default 1024 * 1024;

    @AttributeDefinition(description = "Bytes of macro names and values kept for one connection; more closes it")
    int max_macro_bytes() default 64 * 1024;

    @AttributeDefinition(description = "Seconds a milter frame may take to arrive once it has begun")
    int frame_timeout_seconds() default 30;

    @AttributeDefinition(description = "Seconds the MTA may stay silent on a connection before it is closed")
    int idle_timeout_seconds() default 600;

    @AttributeDefinition(description = "Seconds between progress replies while a message is being scanned")
    int progress_interval_seconds() default 10;

    @AttributeDefinition(description = "Threads that parse and scan messages")
    int scan_threads() default 16;

    @AttributeDefinition(description = "Spam score from which mail is tagged")
    double spam_tag_score() default 5.0;

    @AttributeDefinition(description = "Spam score from which mail is quarantined")
    double spam_quarantine_score() default 10.0;

    @AttributeDefinition(description = "Scanners (by name) whose failure lets mail through unscanned by them", required = false)
    String[] fail_open() default {};
}
