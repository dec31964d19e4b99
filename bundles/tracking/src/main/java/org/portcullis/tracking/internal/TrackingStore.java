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

    /** Stores {@code batch} in one transaction. */
    void insert(List<MessageRecord> batch) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO tracking.messages (" + COLUMNS + ", addresses, domains) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (MessageRecord r : batch) {
                    int i = 1;
                    st.setTimestamp(i++, Timestamp.from(r.time()));
                    st.setString(i++, r.queueId());
                    st.setString(i++, r.stage());
                    st.setString(i++, r.clientName());
                    st.setString(i++, r.clientAddress());
                    st.setString(i++, r.sender().toLowerCase(Locale.ROOT));
                    st.setArray(i++, text(c, r.recipients().stream().map(a -> a.toLowerCase(Locale.ROOT)).toList()));
                    st.setLong(i++, r.size());
                    st.setString(i++, unbracket(r.messageId()));
                    st.setString(i++, r.list());
                    st.setArray(i++, text(c, r.scanners()));
                    st.setString(i++, r.score());
                    st.setString(i++, r.error());
                    st.setString(i++, r.verdict().id());
                    st.setString(i++, r.reply());
                    st.setLong(i++, r.millis());
                    Set<String> addresses = addresses(r);
                    st.setArray(i++, text(c, List.copyOf(addresses)));
                    st.setArray(i, text(c, List.copyOf(domains(addresses))));
                    st.addBatch();
                }
                st.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
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
    int purge(Instant cutoff) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement("DELETE FROM tracking.messages WHERE logged < ?")) {
            st.setTimestamp(1, Timestamp.from(cutoff));
            return st.executeUpdate();
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

    private static Array text(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.toArray());
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }
}
