package org.portcullis.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Mail sent at a steady pace to a sending MTA for as long as a test runs something, then
 * counted at the sink: every message the sender took (250) must arrive exactly once.
 */
final class MailLoad implements AutoCloseable {

    static final String END = "END-OF-PORTCULLIS-LOAD-MESSAGE";

    private final int port;
    private final String prefix;
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    /** Starts sending one message every {@code intervalMs} to the MTA on 127.0.0.1:{@code port}. */
    MailLoad(int port, String prefix, long intervalMs) {
        this.port = port;
        this.prefix = prefix;
        this.thread = new Thread(() -> {
            int n = 0;
            while (!stop.get()) {
                String id = prefix + "-" + n++;
                try {
                    String reply = SmtpClient.send(port, "alice@sender.test", "bob@example.test", message(id));
                    (reply.startsWith("250") ? accepted : refused).add(id + " " + reply.strip());
                } catch (java.io.IOException e) {
                    refused.add(id + " " + e.getMessage());
                }
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "mail-load-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sending; returns how many messages the sending MTA took. */
    int stop() throws InterruptedException {
        stop.set(true);
        thread.join(TimeUnit.SECONDS.toMillis(60));
        return accepted.size();
    }

    /** Messages the sending MTA did not take (it must take all: it queues). */
    List<String> refused() {
        return refused;
    }

    /**
     * Waits until every accepted message is at the sink; returns the ids that arrived other than
     * exactly once (empty when none was lost or doubled).
     */
    List<String> awaitEachOnce(SmtpSink sink, PostfixInstance... flush) throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            Map<String, Integer> seen = arrived(sink);
            List<String> wrong = new ArrayList<>();
            for (String a : accepted) {
                String id = a.substring(0, a.indexOf(' '));
                int count = seen.getOrDefault(id, 0);
                if (count != 1) {
                    wrong.add(id + " x" + count);
                }
            }
            seen.keySet().stream().filter(id -> accepted.stream().noneMatch(a -> a.startsWith(id + " "))).forEach(id -> wrong.add(id + " (never sent)"));
            if (wrong.isEmpty() || System.nanoTime() > end) {
                return wrong;
            }
            for (PostfixInstance p : flush) {
                p.flush();
            }
            Thread.sleep(1000);
        }
    }

    private Map<String, Integer> arrived(SmtpSink sink) throws java.io.IOException {
        Map<String, Integer> seen = new TreeMap<>();
        for (String m : sink.messages(END)) {
            int at = m.indexOf("Message-ID: <" + prefix + "-");
            if (at >= 0) {
                String id = m.substring(at + 13, m.indexOf('@', at));
                seen.merge(id, 1, Integer::sum);
            }
        }
        return seen;
    }

    private static String message(String id) {
        return "From: Alice <alice@sender.test>\r\nTo: bob@example.test\r\nSubject: load " + id + "\r\nMessage-ID: <" + id
                + "@portcullis.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsent during an update\r\n" + END + "\r\n";
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
