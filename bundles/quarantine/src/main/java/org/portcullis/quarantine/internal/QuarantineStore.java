package org.portcullis.quarantine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.sql.DataSource;

import org.portcullis.core.cluster.Fence;
import org.portcullis.core.cluster.FencedException;
import org.portcullis.policy.MessageHold;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.QuarantineQuery;

/** The quarantine's tables (schema {@code quarantine}): SQL only, no rights, no SMTP. */
final class QuarantineStore {

    /** Bytes of content per row: a message is streamed in and out in pieces this big. */
    static final int CHUNK = 256 * 1024;

    private static final String MESSAGE_COLUMNS = "id, held, queue_id, message_id, sender, client_address, category, reason, details, size, "
            + "sha256, has_content";

    private final DataSource ds;

    QuarantineStore(DataSource ds) {
        this.ds = ds;
    }

    DataSource dataSource() {
        return ds;
    }

    /** Stores the message, its content and its recipients in one transaction; returns its id. */
    long hold(MessageHold.Held h, InputStream content) throws SQLException, IOException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.messages (queue_id, message_id, sender, client_address, "
                        + "category, reason, details, size, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, 0, '') RETURNING id")) {
                    ps.setString(1, h.queueId());
                    ps.setString(2, h.messageId());
                    ps.setString(3, h.sender());
                    ps.setString(4, h.clientAddress());
                    ps.setString(5, h.category().id());
                    ps.setString(6, h.reason());
                    ps.setArray(7, c.createArrayOf("text", h.details().toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                MessageDigest sha = sha256();
                long size = 0;
                byte[] buffer = new byte[CHUNK];
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.chunks (message, seq, data) VALUES (?, ?, ?)")) {
                    int n;
                    for (int seq = 0; (n = content.readNBytes(buffer, 0, CHUNK)) > 0; seq++) {
                        sha.update(buffer, 0, n);
                        size += n;
                        ps.setLong(1, id);
                        ps.setInt(2, seq);
                        ps.setBytes(3, n == CHUNK ? buffer : java.util.Arrays.copyOf(buffer, n));
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE quarantine.messages SET size = ?, sha256 = ? WHERE id = ?")) {
                    ps.setLong(1, size);
                    ps.setString(2, HexFormat.of().formatHex(sha.digest()));
                    ps.setLong(3, id);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.recipients (message, recipient) VALUES (?, ?) "
                        + "ON CONFLICT DO NOTHING")) {
                    for (String r : h.recipients()) {
                        ps.setLong(1, id);
                        ps.setString(2, r);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                return id;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    List<HeldMessage> search(QuarantineQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + MESSAGE_COLUMNS + " FROM quarantine.messages m WHERE true");
        List<Object> args = new ArrayList<>();
        where(sql, args, "lower(m.sender) = ?", lower(q.sender()));
        where(sql, args, "m.category = ?", q.category());
        where(sql, args, "m.held >= ?", q.since() == null ? null : Timestamp.from(q.since()));
        where(sql, args, "m.held < ?", q.until() == null ? null : Timestamp.from(q.until()));
        where(sql, args, "EXISTS (SELECT 1 FROM quarantine.recipients r WHERE r.message = m.id AND lower(r.recipient) = ?)", lower(q.recipient()));
        where(sql, args, "EXISTS (SELECT 1 FROM quarantine.recipients r WHERE r.message = m.id AND r.state = ?)", q.state());
        if (q.domains() != null) {
            // a recipient in one of the domains or a subdomain of one
            where(sql, args, "EXISTS (SELECT 1 FROM quarantine.recipients r, unnest(?::text[]) d WHERE r.message = m.id "
                    + "AND (lower(split_part(r.recipient, '@', 2)) = d OR lower(split_part(r.recipient, '@', 2)) LIKE '%.' || d))",
                    q.domains().stream().map(QuarantineStore::lower).toArray(String[]::new));
        }
        if (q.addresses() != null) {
            where(sql, args, "EXISTS (SELECT 1 FROM quarantine.recipients r WHERE r.message = m.id AND lower(r.recipient) = ANY(?::text[]))",
                    q.addresses().stream().map(QuarantineStore::lower).toArray(String[]::new));
        }
        sql.append(" ORDER BY m.held DESC, m.id DESC LIMIT ").append(Math.max(1, Math.min(q.limit(), 10_000)));
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                if (a instanceof String[] values) {
                    ps.setArray(i + 1, c.createArrayOf("text", values));
                } else {
                    ps.setObject(i + 1, a);
                }
            }
            List<HeldMessage> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(message(c, rs));
                }
            }
            return found;
        }
    }

    Optional<HeldMessage> get(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MESSAGE_COLUMNS + " FROM quarantine.messages m WHERE id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(message(c, rs)) : Optional.empty();
            }
        }
    }

    /** Sets {@code recipients} of message {@code id} to {@code state}, by {@code who}, with the listener's {@code reply}. */
    void mark(Connection c, long id, List<String> recipients, String state, String who, String reply) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE quarantine.recipients SET state = ?, changed = now(), changed_by = ?, reply = ? "
                + "WHERE message = ? AND recipient = ANY(?)")) {
            ps.setString(1, state);
            ps.setString(2, who);
            ps.setString(3, reply);
            ps.setLong(4, id);
            ps.setArray(5, c.createArrayOf("text", recipients.toArray()));
            ps.executeUpdate();
        }
    }

    /** The content of message {@code id}, read a chunk at a time on {@code c}. */
    InputStream content(Connection c, long id) {
        return new java.io.SequenceInputStream(new java.util.Enumeration<InputStream>() {
            private int seq;
            private byte[] next = fetch();

            @Override
            public boolean hasMoreElements() {
                return next != null;
            }

            @Override
            public InputStream nextElement() {
                InputStream chunk = new java.io.ByteArrayInputStream(next);
                next = fetch();
                return chunk;
            }

            /** The next chunk, or null after the last; a database failure surfaces as the stream's IOException. */
            private byte[] fetch() {
                try (PreparedStatement ps = c.prepareStatement("SELECT data FROM quarantine.chunks WHERE message = ? AND seq = ?")) {
                    ps.setLong(1, id);
                    ps.setInt(2, seq++);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getBytes(1) : null;
                    }
                } catch (SQLException e) {
                    throw new java.io.UncheckedIOException(new IOException("the quarantine's content could not be read: " + e.getMessage(), e));
                }
            }
        });
    }

    /**
     * Retention: the content of messages held longer than {@code keep} is deleted and their held
     * recipients expire; records held longer than twice that are deleted. Returns how many
     * messages lost their content.
     */
    int expire(Duration keep, Fence fence) throws SQLException, FencedException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Timestamp before = Timestamp.from(java.time.Instant.now().minus(keep));
                int n;
                try (PreparedStatement ps = c.prepareStatement("UPDATE quarantine.messages SET has_content = false "
                        + "WHERE held < ? AND has_content RETURNING id")) {
                    ps.setTimestamp(1, before);
                    List<Long> ids = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                    n = ids.size();
                    try (PreparedStatement chunks = c.prepareStatement("DELETE FROM quarantine.chunks WHERE message = ANY(?)");
                            PreparedStatement expire = c.prepareStatement("UPDATE quarantine.recipients SET state = 'expired', changed = now() "
                                    + "WHERE message = ANY(?) AND state = 'held'")) {
                        Array a = c.createArrayOf("bigint", ids.toArray());
                        chunks.setArray(1, a);
                        chunks.executeUpdate();
                        expire.setArray(1, a);
                        expire.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine.messages WHERE held < ?")) {
                    ps.setTimestamp(1, Timestamp.from(java.time.Instant.now().minus(keep.multipliedBy(2))));
                    ps.executeUpdate();
                }
                for (String table : List.of("release_passes", "release_attempts")) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine." + table + " r WHERE NOT EXISTS "
                            + "(SELECT 1 FROM quarantine.messages m WHERE m.id = r.message)")) {
                        ps.executeUpdate();
                    }
                }
                fence.check(c);
                c.commit();
                return n;
            } catch (SQLException | FencedException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The secret key {@code name}: made at random by the first node that asks, the same for every node after. */
    byte[] key(String name) throws SQLException {
        try (Connection c = ds.getConnection()) {
            byte[] fresh = new byte[32];
            new java.security.SecureRandom().nextBytes(fresh);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.keys (name, secret) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, name);
                ps.setBytes(2, fresh);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT secret FROM quarantine.keys WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        }
    }

    /**
     * Records the use of the link with {@code signature} in {@code c}'s transaction; false when it
     * was used already (a use at the same moment waits for the other's transaction, then sees it).
     */
    boolean useLink(Connection c, String signature, long message, String recipient) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.link_uses (signature, message, recipient) VALUES (?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, signature);
            ps.setLong(2, message);
            ps.setString(3, recipient);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records, committed at once, that a copy of message {@code id} with {@code nonce} is about to go to {@code recipients}. */
    void attempt(String nonce, long message, List<String> recipients) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.release_attempts "
                + "(nonce, message, recipients) VALUES (?, ?, ?)")) {
            ps.setString(1, nonce);
            ps.setLong(2, message);
            ps.setArray(3, c.createArrayOf("text", recipients.toArray()));
            ps.executeUpdate();
        }
    }

    /** Forgets the attempt {@code nonce} and any pass of its copy (the listener refused it: it was not delivered), at once. */
    void forget(String nonce) throws SQLException {
        try (Connection c = ds.getConnection()) {
            forget(c, nonce);
        }
    }

    /** The same, in {@code c}'s transaction. */
    void forget(Connection c, String nonce) throws SQLException {
        for (String table : List.of("release_attempts", "release_passes")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine." + table + " WHERE nonce = ?")) {
                ps.setString(1, nonce);
                ps.executeUpdate();
            }
        }
    }

    /**
     * Ends the attempt {@code nonce} in {@code c}'s transaction (the release succeeded). Its pass,
     * if the copy passed the milter, stays: the same header coming again is a replay.
     */
    void finish(Connection c, String nonce) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine.release_attempts WHERE nonce = ?")) {
            ps.setString(1, nonce);
            ps.executeUpdate();
        }
    }

    /** The recipients of the live attempt {@code nonce} of message {@code message}, or null when there is none. */
    List<String> attemptRecipients(Connection c, String nonce, long message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT recipients FROM quarantine.release_attempts WHERE nonce = ? AND message = ?")) {
            ps.setString(1, nonce);
            ps.setLong(2, message);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? List.of((String[]) rs.getArray(1).getArray()) : null;
            }
        }
    }

    /**
     * Which of {@code recipients} of message {@code id} a release left unfinished was for, whose
     * copy passed the milter (so it was accepted): the node died between the milter and the commit.
     */
    List<String> passedBefore(Connection c, long message, List<String> recipients) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT r FROM quarantine.release_attempts a "
                + "JOIN quarantine.release_passes p ON p.nonce = a.nonce, unnest(a.recipients) r WHERE a.message = ? AND lower(r) = ANY(?)")) {
            ps.setLong(1, message);
            ps.setArray(2, c.createArrayOf("text", recipients.stream().map(QuarantineStore::lower).toArray()));
            List<String> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        }
    }

    /** Records that the released copy with {@code nonce} passed the milter; false when it had already. */
    boolean passRelease(Connection c, String nonce, long message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.release_passes (nonce, message) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, nonce);
            ps.setLong(2, message);
            return ps.executeUpdate() == 1;
        }
    }

    boolean linkUsed(Connection c, String signature) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM quarantine.link_uses WHERE signature = ?")) {
            ps.setString(1, signature);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** One held message that a recipient's digest lists. */
    record Listed(String recipient, long message, Instant held, String sender, String category, String reason) {
    }

    /**
     * Held mail of {@code categories} to recipients whose digest is due ({@code every} since the
     * last, or never sent), held after the last digest listed; by recipient, oldest first.
     */
    List<Listed> digestDue(List<String> categories, Duration every, int limit) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT r.recipient, m.id, m.held, m.sender, "
                + "m.category, m.reason FROM quarantine.recipients r JOIN quarantine.messages m ON m.id = r.message "
                + "LEFT JOIN quarantine.digests d ON d.recipient = lower(r.recipient) "
                + "WHERE r.state = 'held' AND m.has_content AND m.category = ANY(?) "
                + "AND (d.recipient IS NULL OR (d.sent <= now() - ? * interval '1 second' AND m.held > d.through)) "
                + "ORDER BY lower(r.recipient), m.held LIMIT ?")) {
            ps.setArray(1, c.createArrayOf("text", categories.toArray()));
            ps.setLong(2, every.toSeconds());
            ps.setInt(3, limit);
            List<Listed> all = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(new Listed(rs.getString(1), rs.getLong(2), rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getString(5),
                            rs.getString(6)));
                }
            }
            return all;
        }
    }

    /** Records that {@code recipient} was sent a digest listing mail held up to {@code through}. */
    void digestSent(String recipient, Instant through) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO quarantine.digests (recipient, sent, "
                + "through) VALUES (?, now(), ?) ON CONFLICT (recipient) DO UPDATE SET sent = now(), through = excluded.through")) {
            ps.setString(1, recipient.toLowerCase(Locale.ROOT));
            ps.setTimestamp(2, Timestamp.from(through));
            ps.executeUpdate();
        }
    }

    private HeldMessage message(Connection c, ResultSet rs) throws SQLException {
        long id = rs.getLong("id");
        List<HeldMessage.Recipient> recipients = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT recipient, state, changed, changed_by, reply FROM quarantine.recipients "
                + "WHERE message = ? ORDER BY recipient")) {
            ps.setLong(1, id);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    recipients.add(new HeldMessage.Recipient(r.getString(1), r.getString(2), r.getTimestamp(3).toInstant(), r.getString(4),
                            r.getString(5)));
                }
            }
        }
        return new HeldMessage(id, rs.getTimestamp("held").toInstant(), rs.getString("queue_id"), rs.getString("message_id"),
                rs.getString("sender"), rs.getString("client_address"), rs.getString("category"), rs.getString("reason"),
                List.of((String[]) rs.getArray("details").getArray()), rs.getLong("size"), rs.getString("sha256"),
                rs.getBoolean("has_content"), recipients);
    }

    private static void where(StringBuilder sql, List<Object> args, String condition, Object value) {
        if (value != null) {
            sql.append(" AND ").append(condition);
            args.add(value);
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
