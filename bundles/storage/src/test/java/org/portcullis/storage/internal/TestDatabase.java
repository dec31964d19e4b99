package org.portcullis.storage.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The real PostgreSQL the unit tests use: the server named by {@code PORTCULLIS_TEST_DB_URL}
 * (with {@code PORTCULLIS_TEST_DB_USER} and {@code PORTCULLIS_TEST_DB_PASSWORD}), or else one
 * embedded server started once for the test JVM. Tests isolate themselves by schema name.
 * Public, in this module's test jar, for the other bundles' database tests.
 */
public final class TestDatabase {

    private static DataSource dataSource;

    private TestDatabase() {
    }

    public static synchronized DataSource get() {
        if (dataSource == null) {
            String url = System.getenv("PORTCULLIS_TEST_DB_URL");
            if (url != null && !url.isBlank()) {
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setURL(url);
                ds.setUser(System.getenv().getOrDefault("PORTCULLIS_TEST_DB_USER", "postgres"));
                ds.setPassword(System.getenv().getOrDefault("PORTCULLIS_TEST_DB_PASSWORD", ""));
                dataSource = ds;
            } else {
                try {
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            pg.close();
                        } catch (IOException ignored) {
                            // the JVM is exiting
                        }
                    }));
                    dataSource = pg.getPostgresDatabase();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded test PostgreSQL", e);
                }
            }
        }
        return dataSource;
    }

    /** A schema name no other test uses, dropped first if a previous run left it behind. */
    public static String freshSchema(String prefix) throws SQLException {
        String schema = (prefix + "_" + Long.toHexString(System.nanoTime())).toLowerCase();
        try (Connection c = get().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
        return schema;
    }

    /**
     * Drops {@code schema} and creates it again from a bundle's migration scripts ({@code scripts},
     * read from {@code owner}'s class path under {@code /db/migration/}), as its first migration
     * would, but without the migrator: for tests of one store.
     */
    public static void recreate(String schema, Class<?> owner, String... scripts) throws java.io.IOException, SQLException {
        StringBuilder all = new StringBuilder();
        for (String file : scripts) {
            try (java.io.InputStream in = owner.getResourceAsStream("/db/migration/" + file)) {
                if (in == null) {
                    throw new java.io.FileNotFoundException("/db/migration/" + file + " beside " + owner.getName());
                }
                all.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).append('\n');
            }
        }
        try (Connection c = get().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            st.execute("CREATE SCHEMA " + schema);
            st.execute("SET search_path = " + schema);
            st.execute(all.toString());
            st.execute("SET search_path = public");
        }
    }
}
