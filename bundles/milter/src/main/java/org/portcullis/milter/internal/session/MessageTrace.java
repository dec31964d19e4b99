package org.portcullis.milter.internal.session;

import java.util.ArrayList;
import java.util.List;

/**
 * What the filter found out about the message under way, for its mail log line: the list entry
 * that applied, each scanner's result and time, the spam score. Filled by the filter (at end of
 * message possibly on a worker thread, before its verdict completes) and read by the session once
 * the verdict is in.
 */
public final class MessageTrace {

    private volatile String list = "";
    private final List<String> scanners = new ArrayList<>();
    private volatile String score = "";
    private volatile String error = "";
    private volatile String held = "";

    /** The list decision, such as {@code allow *.partner.example (global, #7)}. */
    public void list(String decision) {
        list = decision == null ? "" : decision;
    }

    /** One scanner's answer: {@code name}, {@code result} (clean, infected(X), spam(5.1), failed(reason)…) and milliseconds. */
    public synchronized void scanner(String name, String result, long millis) {
        scanners.add(name + ":" + result + ":" + millis + "ms");
    }

    public void score(String s) {
        score = s == null ? "" : s;
    }

    /** Why deciding failed, when it did. */
    public void error(String why) {
        error = why == null ? "" : why;
    }

    /** The quarantine took the message, as {@code id}: the MTA is told to discard its copy. */
    public void held(String id) {
        held = id == null ? "" : id;
    }

    /** The message's quarantine id, or empty when it is not in the quarantine. */
    public String held() {
        return held;
    }

    public String list() {
        return list;
    }

    public synchronized List<String> scanners() {
        return List.copyOf(scanners);
    }

    public String score() {
        return score;
    }

    public String error() {
        return error;
    }
}
