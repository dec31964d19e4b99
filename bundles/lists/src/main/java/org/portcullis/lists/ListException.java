package org.portcullis.lists;

/** A refused list operation or value, in one line naming the field and the value. */
public class ListException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ListException(String message) {
        super(message);
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
