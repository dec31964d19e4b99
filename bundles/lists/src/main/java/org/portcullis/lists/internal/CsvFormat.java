package org.portcullis.lists.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/**
 * The list CSV (RFC 4180, read and written by commons-csv: quoted cells may hold commas, quotes
 * and line breaks; a leading byte-order mark is skipped): a header
 * {@code list,scope,pattern,comment,expires} (any order; {@code scope}, {@code comment} and
 * {@code expires} may be left out), one entry per record, {@code #} comment lines.
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
        java.io.StringWriter all = new java.io.StringWriter();
        in.transferTo(all);
        String text = withoutBom(all.toString());
        LineNumbers numbers = new LineNumbers(text);
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text)).setFormat(READ).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException e) {
                    // an unclosed quote: everything from it on is one broken cell
                    errors.add(unreadable(e.getCause(), parser.getCurrentLineNumber()));
                    break;
                }
                int number = numbers.at(record.getCharacterPosition());
                List<String> cells = record.toList();
                if (cells.size() == 1 && cells.get(0).strip().isEmpty() || cells.get(0).strip().startsWith("#")) {
                    continue; // a blank line, or a comment commons-csv does not see as one (indented)
                }
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
        }
        return new Parsed(entries, lines, duplicates, errors);
    }

    /** RFC 4180 with {@code #} comment lines and blank lines skipped; cells are trimmed where they are used. */
    private static final CSVFormat READ = CSVFormat.RFC4180.builder().setCommentMarker('#').setIgnoreEmptyLines(true)
            .setIgnoreSurroundingSpaces(true).get();

    private static final CSVFormat WRITE = CSVFormat.RFC4180.builder().setRecordSeparator("\n").get();

    /** Spreadsheet programs start UTF-8 CSV with a byte-order mark. */
    private static String withoutBom(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static final java.util.regex.Pattern START_LINE = java.util.regex.Pattern.compile("\\(startline ([\\d,.]+)\\)");

    /** What the parser could not read, as one line: where the unclosed quote starts. */
    private static String unreadable(IOException e, long fallbackLine) {
        String m = String.valueOf(e.getMessage());
        java.util.regex.Matcher start = START_LINE.matcher(m);
        if (m.contains("EOF reached before encapsulated token finished") && start.find()) {
            return "line " + start.group(1).replaceAll("[,.]", "") + ": a quoted cell is never closed (inside quotes write a quote twice: \"\")";
        }
        return "line " + fallbackLine + ": " + m.lines().findFirst().orElse(m);
    }

    /** The line a character position is on, for positions asked in increasing order. */
    private static final class LineNumbers {
        private final String text;
        private int position;
        private int line = 1;

        LineNumbers(String text) {
            this.text = text;
        }

        /** The line of the record starting at {@code pos}: past the comment and blank lines the parser counts into it. */
        int at(long pos) {
            int target = (int) Math.min(pos, text.length());
            for (; position < target; position++) {
                if (text.charAt(position) == '\n') {
                    line++;
                }
            }
            while (position < text.length()) {
                int end = text.indexOf('\n', position);
                end = end < 0 ? text.length() : end;
                String l = text.substring(position, end).strip();
                if (!l.isEmpty() && !l.startsWith("#") || end == text.length()) {
                    break;
                }
                position = end + 1;
                line++;
            }
            return line;
        }
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

    static void write(List<ListEntry> entries, Writer out) throws IOException {
        CSVPrinter printer = new CSVPrinter(out, WRITE);
        printer.printRecord((Object[]) HEADER.split(","));
        for (ListEntry e : entries) {
            printer.printRecord(e.list().id(), e.scope(), e.pattern(), e.comment() == null ? "" : e.comment(),
                    e.expires() == null ? "" : e.expires().toString());
        }
        printer.flush();
    }
}
