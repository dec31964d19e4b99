package org.portcullis.milter.internal.session;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.portcullis.policy.MessageRecord;
import org.portcullis.policy.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per message on the logger {@value #LOGGER} (the distribution writes it to
 * {@code data/log/mail.log}), shaped for grep as Postfix's own lines are: the queue id first, then
 * {@code key=value} pairs, one line, no stack trace. For example:
 * <pre>
 * 4XyZ1q2w: stage=end client=mx.example.org[192.0.2.7] from=alice@example.org to=bob@example.com size=2412
 *   msgid=&lt;a1@example.org&gt; scanners=clamav:infected(Eicar-Signature):4ms verdict=reject
 *   reply="550 5.7.1 Message rejected: virus Eicar-Signature found" ms=5
 * </pre>
 * (one line in the log). Values with spaces or quotes are quoted, with {@code "} and {@code \}
 * escaped; empty values are left out.
 */
public final class MailLog {

    public static final String LOGGER = "portcullis.mail";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    /** The distribution's sink: the mail logger. */
    public static final Consumer<MessageRecord> SLF4J = r -> LOG.info(line(r));

    private MailLog() {
    }

    /** The line for {@code r}. */
    public static String line(MessageRecord r) {
        List<String> kv = new ArrayList<>();
        add(kv, "stage", r.stage());
        // as Postfix writes it: a client whose name did not resolve (the MTA sends "[address]") is "unknown"
        String name = r.clientName().isEmpty() || r.clientName().startsWith("[") ? "unknown" : r.clientName();
        add(kv, "client", r.clientAddress().isEmpty() && r.clientName().isEmpty() ? "" : name + "[" + r.clientAddress() + "]");
        add(kv, "from", r.sender().isEmpty() ? "<>" : r.sender());
        add(kv, "to", String.join(",", r.recipients()));
        if (!"rcpt".equals(r.stage()) && !"mail".equals(r.stage())) {
            add(kv, "size", Long.toString(r.size()));
        }
        add(kv, "msgid", r.messageId());
        add(kv, "list", r.list());
        add(kv, "scanners", String.join(",", r.scanners()));
        add(kv, "score", r.score());
        add(kv, "error", r.error());
        add(kv, "verdict", r.verdict().id());
        add(kv, "reply", r.reply());
        if ("end".equals(r.stage())) {
            add(kv, "ms", Long.toString(r.millis()));
        }
        return (r.queueId().isEmpty() ? "NOQUEUE" : r.queueId()) + ": " + String.join(" ", kv);
    }

    /** What the MTA is told for {@code v}, as the log shows it. */
    public static String reply(Verdict v) {
        return reply(v, "");
    }

    /** The same, for a message the quarantine has stored as {@code heldAs} (empty: the MTA holds it). */
    public static String reply(Verdict v, String heldAs) {
        if (v instanceof Verdict.Quarantine q) {
            return heldAs.isEmpty() ? "hold: " + q.reason() : "quarantine " + heldAs + ": " + q.reason();
        }
        if (v instanceof Verdict.Discard) {
            return "discard";
        }
        return v.reply().isEmpty() ? "accept" : v.reply();
    }

    private static void add(List<String> kv, String key, String value) {
        if (value == null || value.isEmpty() || value.equals("[]")) {
            return;
        }
        String v = Verdict.oneLine(value);
        kv.add(key + "=" + (bare(v) ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    }

    /** Whether {@code v} needs no quotes: no white space, quote or backslash (a plain loop: this runs for every field of every message). */
    static boolean bare(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\' || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return false;
            }
        }
        return !v.isEmpty();
    }
}
