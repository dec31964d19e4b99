package org.portcullis.updater.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code .cfg} file the admin has, against the one the new version ships and the one the old
 * version shipped: every value the admin has stays; a key new in the new version (not in the old
 * file) is added with its default and the comment above it, so the admin sees what it is (a key
 * the admin removed stays removed); a key the new version's file no longer has is kept and
 * named, so nothing is dropped silently.
 */
final class SettingsMerge {

    /** The merged text ({@code null}: nothing to add), and what the log says. */
    record Result(String text, List<String> added, List<String> unknown) {
    }

    private SettingsMerge() {
    }

    /** @param before what the old version shipped, or {@code null} when unknown (then every key the admin lacks counts as new) */
    static Result merge(String admin, String shipped, String before) {
        Map<String, String> mine = entries(admin);
        Map<String, String> theirs = entries(shipped);
        Map<String, String> old = before == null ? Map.of() : entries(before);
        List<String> added = new ArrayList<>();
        StringBuilder tail = new StringBuilder();
        for (var e : theirs.entrySet()) {
            if (!mine.containsKey(e.getKey()) && !old.containsKey(e.getKey())) {
                added.add(e.getKey());
                tail.append(e.getValue());
            }
        }
        List<String> unknown = mine.keySet().stream().filter(k -> !theirs.containsKey(k)).toList();
        String text = null;
        if (!added.isEmpty()) {
            text = admin + (admin.isEmpty() || admin.endsWith("\n") ? "" : "\n") + tail;
        }
        return new Result(text, added, unknown);
    }

    /** Each key with its text: the comment lines right above it, its line and any continuation lines (a trailing backslash). */
    static Map<String, String> entries(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder comments = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String t = line.strip();
            if (t.isEmpty()) {
                comments.setLength(0);
                continue;
            }
            if (t.startsWith("#") || t.startsWith("!")) {
                comments.append(line).append('\n');
                continue;
            }
            StringBuilder entry = new StringBuilder(comments).append(line).append('\n');
            while (continues(lines[i]) && i + 1 < lines.length) {
                entry.append(lines[++i]).append('\n');
            }
            out.putIfAbsent(key(t), entry.toString());
            comments.setLength(0);
        }
        return out;
    }

    private static boolean continues(String line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static String key(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=' || c == ':' || Character.isWhitespace(c)) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
