package org.portcullis.lists;

import java.util.Locale;

/** Which list an entry is on. */
public enum ListType {
    ALLOW, BLOCK;

    /** {@code allow} or {@code block}, any case. */
    public static ListType parse(String value) {
        if (value != null) {
            for (ListType t : values()) {
                if (t.name().equalsIgnoreCase(value.strip())) {
                    return t;
                }
            }
        }
        throw ListException.invalid("list", value, "use allow or block");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
