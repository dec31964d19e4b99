package org.portcullis.tracking.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.sql.DataSource;

import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;
import org.portcullis.policy.MessageRecord;
import org.portcullis.policy.Verdict;
import org.portcullis.tracking.Query;
import org.portcullis.tracking.TrackingException;

/** The SQL of table {@code tracking.messages}: batches in, searches out, old rows away. */
class TrackingStore {

    private static final String COLUMNS = "logged, queue_id, stage, client_name, client_address, sender, recipients, size, message_id, "
            + "list_entry, scanners, score, error, verdict, reply, millis";

    private final DataSource ds;

    TrackingStore(DataSource ds) {
        this.ds = ds;
    }

    /**
     * Stores {@code batch} in one transaction, as one {@code COPY ... FROM STDIN} (text format):
     * a fraction of the driver's and the server's work of a batched INSERT, row by row.
     */
    void insert(List<MessageRecord> batch) throws SQLException {
        StringBuilder rows = new StringBuilder(batch.size() * 400);
        for (MessageRecord r : batch) {
            Set<String> addresses = addresses(r);
            field(rows, r.time().toString());
            field(rows, r.queueId());
            field(rows, r.stage());
            field(rows, r.clientName());
            field(rows, r.clientAddress());
            field(rows, r.sender().toLowerCase(Locale.ROOT));
            field(rows, array(r.recipients().stream().map(x -> x.toLowerCase(Locale.ROOT)).toList()));
            field(rows, Long.toString(r.size()));
            field(rows, unbracket(r.messageId()));
            field(rows, r.list());
            field(rows, array(r.scanners()));
            field(rows, r.score());
            field(rows, r.error());
            field(rows, r.verdict().id());
            field(rows, r.reply());
            field(rows, Long.toString(r.millis()));
            field(rows, array(List.copyOf(addresses)));
            field(rows, array(List.copyOf(domains(addresses))));
            rows.setCharAt(rows.length() - 1, '\n');
        }
        byte[] data = rows.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                        .copyIn("COPY tracking.messages (" + COLUMNS + ", addresses, domains) FROM STDIN", new java.io.ByteArrayInputStream(data));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } catch (java.io.IOException e) {
                c.rollback();
                throw new SQLException("tracking batch: " + e.getMessage(), e);
            }
        }
    }

    /** One column of COPY's text format, then a tab: backslash, tab, line feed and carriage return escaped, NUL as {@code ?}. */
    static void field(StringBuilder out, String value) {
        String v = value == null ? "" : value;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\u0000' -> out.append('?'); // PostgreSQL text holds no NUL
                default -> out.append(ch);
            }
        }
        out.append('\t');
    }

    /** A text[] literal: every element double-quoted, with its quotes and backslashes escaped. */
    static String array(List<String> values) {
        StringBuilder b = new StringBuilder(2 + values.size() * 24).append('{');
        for (String v : values) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"');
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                if (ch == '"' || ch == '\\') {
                    b.append('\\');
                }
                b.append(ch);
            }
            b.append('"');
        }
        return b.append('}').toString();
    }

    List<MessageRecord> search(Query q) {
        int limit = q.limit() <= 0 ? 50 : q.limit();
        if (limit > 1000) {
            throw new TrackingException(true, "limit " + q.limit() + ": at most 1000 records at a time");
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM tracking.messages WHERE true");
        List<Object> args = new ArrayList<>();
        where(sql, args, "queue_id = ?", q.queueId());
        where(sql, args, "message_id = ?", q.messageId() == null ? null : unbracket(q.messageId()));
        where(sql, args, "sender = ?", lower(q.sender()));
        where(sql, args, "? = ANY (recipients)", lower(q.recipient()));
        where(sql, args, "verdict = ?", q.verdict() == null ? null : q.verdict().id());
        where(sql, args, "logged >= ?", q.since() == null ? null : Timestamp.from(q.since()));
        where(sql, args, "logged < ?", q.until() == null ? null : Timestamp.from(q.until()));
        where(sql, args, "domains && ?::text[]", lower(q.domains()));
        where(sql, args, "addresses && ?::text[]", lower(q.addresses()));
        sql.append(" ORDER BY logged DESC, id DESC LIMIT ").append(limit);
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement st = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    st.setObject(i + 1, args.get(i));
                }
                List<MessageRecord> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
                return out;
            }
        } catch (SQLException e) {
            throw new TrackingException(false, "message tracking: the database did not answer ("
                    + e.getMessage().lines().findFirst().orElse("error") + ")");
        }
    }

    /** Deletes records logged before {@code cutoff}; returns how many. */
    /** Deletes the records logged before {@code cutoff}, in one transaction that ends with the fence of the Primary's term. */
    int purge(Instant cutoff, Fence fence) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("DELETE FROM tracking.messages WHERE logged < ?")) {
                st.setTimestamp(1, Timestamp.from(cutoff));
                int gone = st.executeUpdate();
                fence.check(c);
                c.commit();
                return gone;
            } catch (SQLException | FencedException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static MessageRecord row(ResultSet rs) throws SQLException {
        return new MessageRecord(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), strings(rs.getArray(7)), rs.getLong(8), rs.getString(9), rs.getString(10), strings(rs.getArray(11)),
                rs.getString(12), rs.getString(13), Verdict.Kind.valueOf(rs.getString(14).toUpperCase(Locale.ROOT)), rs.getString(15),
                rs.getLong(16));
    }

    /** Sender and recipients, lower case. */
    static Set<String> addresses(MessageRecord r) {
        Set<String> all = new LinkedHashSet<>();
        if (!r.sender().isEmpty()) {
            all.add(r.sender().toLowerCase(Locale.ROOT));
        }
        r.recipients().forEach(a -> all.add(a.toLowerCase(Locale.ROOT)));
        return all;
    }

    /** The domains of {@code addresses} and each of their parent domains: {@code a@x.example.com} gives {@code x.example.com}, {@code example.com}. */
    static Set<String> domains(Set<String> addresses) {
        Set<String> out = new LinkedHashSet<>();
        for (String a : addresses) {
            String d = a.substring(a.lastIndexOf('@') + 1);
            while (d.indexOf('.') > 0) {
                out.add(d);
                d = d.substring(d.indexOf('.') + 1);
            }
        }
        return out;
    }

    private static void where(StringBuilder sql, List<Object> args, String condition, Object value) {
        if (value != null && !(value instanceof String s && s.isBlank())) {
            sql.append(" AND ").append(condition);
            args.add(value instanceof String s ? s.strip() : value);
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.strip().toLowerCase(Locale.ROOT);
    }

    /** A scope as an array parameter, lower case; {@code null} for no restriction. */
    private static String[] lower(Set<String> values) {
        return values == null ? null : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    }

    private static String unbracket(String id) {
        String s = id.strip();
        return s.startsWith("<") && s.endsWith(">") ? s.substring(1, s.length() - 1) : s;
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }
}
