package org.portcullis.auth.internal;

import javax.sql.DataSource;

import org.portcullis.storage.internal.TestDatabase;

/** The test database with a fresh {@code auth} schema from the bundle's own migrations. */
final class AuthSchema {

    private AuthSchema() {
    }

    static DataSource fresh() throws Exception {
        TestDatabase.recreate("auth", AuthSchema.class, "V1__accounts.sql", "V2__tokens.sql", "V3__login_failures.sql");
        return TestDatabase.get();
    }
}
