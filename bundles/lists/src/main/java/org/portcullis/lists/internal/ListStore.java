package org.portcullis.lists.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/** The {@code lists.entries} table. Every call is one transaction. */
final class ListStore {

    private static final String COLUMNS = "id, list, scope, pattern, comment, creator, created, expires";

    private final DataSource ds;

    ListStore(DataSource ds) {
        this.ds = ds;
    }

    /** Every entry, streamed from the database (no copy of the table on the heap besides the entries). */
    List<ListEntry> loadAll() throws SQLException {
        List<ListEntry> all = new ArrayList<>();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM lists.entries")) {
                st.setFetchSize(10_000);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        all.add(row(rs));
                    }
                }
            }
            c.commit();
        }
        return all;
    }

    /** Stores one entry; a duplicate is refused naming the existing one. */
    ListEntry add(ListEntry e) throws SQLException {
        try (Connection c = ds.getConnection()) {
            Optional<ListEntry> stored = insert(c, e);
            if (stored.isEmpty()) {
                throw new ListException(ListException.Kind.DUPLICATE, "entry '" + e.describe() + "' exists already" + existingId(c, e));
            }
            return stored.get();
        }
    }

    /** Stores all entries in one transaction; {@code result[i]} says whether {@code entries[i]} was new (else it was there already). */
    boolean[] addAll(List<ListEntry> entries) throws SQLException {
        boolean[] added = new boolean[entries.size()];
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (int i = 0; i < added.length; i++) {
                    added[i] = insert(c, entries.get(i)).isPresent();
                }
                c.commit();
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        }
        return added;
    }

    boolean remove(long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement("DELETE FROM lists.entries WHERE id = ?")) {
            st.setLong(1, id);
            return st.executeUpdate() > 0;
        }
    }

    Optional<ListEntry> get(long id) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM lists.entries WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    List<ListEntry> find(ListType list, Scope scope, String patternPart) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM lists.entries WHERE true");
        List<String> args = new ArrayList<>();
        if (list != null) {
            sql.append(" AND list = ?");
            args.add(list.id());
        }
        if (scope != null) {
            sql.append(" AND scope = ?");
            args.add(scope.toString());
        }
        if (patternPart != null && !patternPart.isEmpty()) {
            sql.append(" AND strpos(pattern, ?) > 0");
            args.add(patternPart.toLowerCase(java.util.Locale.ROOT));
        }
        sql.append(" ORDER BY id");
        List<ListEntry> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                st.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }

    private static Optional<ListEntry> insert(Connection c, ListEntry e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO lists.entries (list, scope, pattern, comment, creator, expires) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (list, scope, pattern) DO NOTHING RETURNING " + COLUMNS)) {
            st.setString(1, e.list().id());
            st.setString(2, e.scope().toString());
            st.setString(3, e.pattern().value());
            st.setString(4, e.comment() == null ? "" : e.comment());
            st.setString(5, e.creator());
            st.setTimestamp(6, e.expires() == null ? null : Timestamp.from(e.expires()));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static String existingId(Connection c, ListEntry e) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM lists.entries WHERE list = ? AND scope = ? AND pattern = ?")) {
            st.setString(1, e.list().id());
            st.setString(2, e.scope().toString());
            st.setString(3, e.pattern().value());
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? " (#" + rs.getLong(1) + ")" : "";
            }
        }
    }

    private static ListEntry row(ResultSet rs) throws SQLException {
        Timestamp expires = rs.getTimestamp(8);
        Instant exp = expires == null ? null : expires.toInstant();
        return new ListEntry(rs.getLong(1), ListType.parse(rs.getString(2)), Scope.parse(rs.getString(3)), Pattern.parse(rs.getString(4)),
                rs.getString(5), rs.getString(6), rs.getTimestamp(7).toInstant(), exp);
    }
}
