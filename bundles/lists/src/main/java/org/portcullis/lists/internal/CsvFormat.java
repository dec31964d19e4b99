package org.portcullis.lists.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/**
 * The list CSV: a header {@code list,scope,pattern,comment,expires} (any order; {@code scope},
 * {@code comment} and {@code expires} may be left out), one entry per line, {@code #} comments.
 * Legacy exports are translated on the way in — and only here: {@code whitelist}/{@code white}
 * and {@code blacklist}/{@code black} as list values, a column headed {@code whitelist} or
 * {@code blacklist} holding patterns of that list, {@code type} as the list column, and a file
 * named {@code *whitelist*}/{@code *blacklist*} (or {@code *allow*}/{@code *block*}) giving the
 * list of rows that name none, header or not.
 */
final class CsvFormat {

    static final String HEADER = "list,scope,pattern,comment,expires";

    /** What a file holds: entries with their line numbers, and every bad line. */
    record Parsed(List<ListEntry> entries, List<Integer> lines, List<String> duplicates, List<String> errors) {
    }

    private CsvFormat() {
    }

    static Parsed parse(Reader in, String sourceName, String creator, Instant now) throws IOException {
        List<ListEntry> entries = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        ListType fromName = listFromName(sourceName);
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> columns = null;
        ListType columnList = null;
        BufferedReader r = new BufferedReader(in);
        int number = 0;
        for (String line; (line = r.readLine()) != null;) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            List<String> cells = split(line);
            if (columns == null) {
                columns = header(cells);
                if (columns != null) {
                    columnList = columns.containsKey("whitelist") ? ListType.ALLOW : columns.containsKey("blacklist") ? ListType.BLOCK : null;
                    continue;
                }
                columns = Map.of("pattern", 0); // no header: one pattern per line
            }
            try {
                ListEntry e = entry(cells, columns, columnList != null ? columnList : fromName, creator, now);
                String key = e.list() + " " + e.scope() + " " + e.pattern();
                Integer first = seen.putIfAbsent(key, number);
                if (first != null) {
                    duplicates.add("line " + number + ": repeats line " + first + " (" + e.describe() + ")");
                } else {
                    entries.add(e);
                    lines.add(number);
                }
            } catch (ListException ex) {
                errors.add("line " + number + ": " + ex.getMessage());
            }
        }
        return new Parsed(entries, lines, duplicates, errors);
    }

    private static ListEntry entry(List<String> cells, Map<String, Integer> columns, ListType defaultList, String creator, Instant now) {
        String listCell = cell(cells, columns.get("list"));
        ListType list = listCell.isEmpty() ? defaultList : legacyList(listCell);
        if (list == null) {
            throw new ListException("no list: add a list column (allow or block), or name the file after the list");
        }
        String scopeCell = cell(cells, columns.get("scope"));
        Scope scope = scopeCell.isEmpty() ? Scope.GLOBAL : Scope.parse(scopeCell);
        String patternCell = cell(cells, columns.containsKey("pattern") ? columns.get("pattern")
                : columns.containsKey("whitelist") ? columns.get("whitelist") : columns.get("blacklist"));
        Pattern pattern = Pattern.parse(patternCell);
        String expiresCell = cell(cells, columns.get("expires"));
        Instant expires = expiresCell.isEmpty() ? null : expires(expiresCell);
        return new ListEntry(0, list, scope, pattern, cell(cells, columns.get("comment")), creator, now, expires);
    }

    static ListType legacyList(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "whitelist", "white", "whitelisted" -> ListType.ALLOW;
            case "blacklist", "black", "blacklisted" -> ListType.BLOCK;
            default -> ListType.parse(value);
        };
    }

    private static ListType listFromName(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (n.contains("whitelist") || n.contains("allow")) {
            return ListType.ALLOW;
        }
        if (n.contains("blacklist") || n.contains("block")) {
            return ListType.BLOCK;
        }
        return null;
    }

    private static Instant expires(String text) {
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new ListException("expires '" + text + "': use 2027-01-31 or 2027-01-31T18:00:00Z");
        }
    }

    /** Column positions by name when {@code cells} is a header row, else {@code null}. */
    private static Map<String, Integer> header(List<String> cells) {
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i).strip().toLowerCase(Locale.ROOT);
            String name = switch (c) {
                case "list", "type", "listtype" -> "list";
                case "scope" -> "scope";
                case "pattern", "value", "address", "sender", "entry", "email" -> "pattern";
                case "comment", "note", "description" -> "comment";
                case "expires", "expiry" -> "expires";
                case "whitelist", "blacklist" -> c;
                default -> null;
            };
            if (name != null) {
                columns.put(name, i);
            }
        }
        boolean hasPattern = columns.containsKey("pattern") || columns.containsKey("whitelist") || columns.containsKey("blacklist");
        return hasPattern ? columns : null;
    }

    private static String cell(List<String> cells, Integer index) {
        return index == null || index >= cells.size() ? "" : cells.get(index).strip();
    }

    /** One CSV line: commas, double quotes, doubled quotes inside quotes. */
    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    static void write(List<ListEntry> entries, Writer out) throws IOException {
        out.write(HEADER + "\n");
        for (ListEntry e : entries) {
            out.write(e.list().id() + "," + e.scope() + "," + e.pattern() + "," + quote(e.comment()) + ","
                    + (e.expires() == null ? "" : e.expires().toString()) + "\n");
        }
    }

    private static String quote(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
