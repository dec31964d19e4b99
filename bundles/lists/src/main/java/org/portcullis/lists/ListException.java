package org.portcullis.lists;

/** A refused list operation or value, in one line naming the field and the value. */
public class ListException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Kinds of refusal (the REST API answers 400, 409, 404, 403 and 503 for them). */
    public enum Kind {
        INVALID, DUPLICATE, NOT_FOUND, FORBIDDEN, UNAVAILABLE
    }

    private final Kind kind;

    public ListException(String message) {
        this(Kind.INVALID, message);
    }

    public ListException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** "{field} '{value}': {why}" — the shape of every validation message. */
    static ListException invalid(String field, String value, String why) {
        return new ListException(field + " '" + printable(value) + "': " + why);
    }

    static String printable(String s) {
        if (s == null) {
            return "";
        }
        String p = s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 100 ? p.substring(0, 97) + "..." : p;
    }
}
