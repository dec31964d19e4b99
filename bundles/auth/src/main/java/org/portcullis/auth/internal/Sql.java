package org.portcullis.auth.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.portcullis.auth.AuthException;
import org.portcullis.auth.AuthException.Code;

/** The auth bundle's way to the database: one transaction per call, any database error an {@link AuthException} (503). */
final class Sql {

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Sql() {
    }

    /** Runs {@code work} in one transaction; rolls back on any exception. */
    static <T> T inTransaction(DataSource ds, Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new AuthException(Code.UNAVAILABLE, "account database: " + e.getMessage().lines().findFirst().orElse("error")
                    + "; nothing was changed", e);
        }
    }

    /** Runs one statement with string arguments; returns the rows it changed. */
    static int update(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setString(i + 1, args[i]);
            }
            return st.executeUpdate();
        }
    }
}
