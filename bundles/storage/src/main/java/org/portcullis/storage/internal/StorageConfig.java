package org.portcullis.storage.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Portcullis storage",
        description = "The PostgreSQL database; with no URL the embedded server under the data directory is used")
@interface StorageConfig {

    @AttributeDefinition(name = "JDBC URL", description = "jdbc:postgresql://host:port/database of an external "
            + "PostgreSQL; empty starts the embedded PostgreSQL", required = false)
    String url() default "";

    @AttributeDefinition(name = "User", description = "Database user for an external PostgreSQL", required = false)
    String user() default "portcullis";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
    String password() default "";

    @AttributeDefinition(name = "Embedded port", description = "127.0.0.1 port of the embedded PostgreSQL")
    int embedded_port() default 15432;

    @AttributeDefinition(name = "Embedded directory", description = "Where the embedded PostgreSQL keeps binaries "
            + "and data; empty means ${karaf.data}/postgresql", required = false)
    String embedded_directory() default "";

    @AttributeDefinition(name = "Pool size", description = "Most connections the pool opens")
    int pool_size() default 10;

    @AttributeDefinition(name = "Connect timeout (s)", description = "How long a connection attempt may take")
    int connect_timeout_seconds() default 5;

    @AttributeDefinition(name = "Socket timeout (s)", description = "How long a query may wait for the database's next "
            + "bytes before its connection counts as dead (a cut network sends no reset); 0 (the default) waits for ever, "
            + "as a long statement (a retention purge, a migration, a restore) may legitimately do")
    int socket_timeout_seconds() default 0;

    @AttributeDefinition(name = "Health check interval (s)")
    int health_interval_seconds() default 5;

    @AttributeDefinition(name = "Migration lock wait (s)",
            description = "How long a node waits for another node's migrations before giving up")
    int migration_lock_wait_seconds() default 300;
}
