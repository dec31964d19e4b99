package org.portcullis.lists;

import java.util.Locale;
import java.util.regex.Pattern;

/** Syntax of domains and addresses, as lists accept them (lower case, no IDN conversion). */
public final class Names {

    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,62}");
    private static final Pattern LOCAL = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");

    private Names() {
    }

    public static boolean isDomain(String s) {
        return s != null && DOMAIN.matcher(s).matches();
    }

    public static boolean isAddress(String s) {
        if (s == null) {
            return false;
        }
        int at = s.lastIndexOf('@');
        return at > 0 && LOCAL.matcher(s.substring(0, at)).matches() && isDomain(s.substring(at + 1));
    }

    /** An envelope or header address made comparable: angle brackets off, lower case; {@code ""} stays {@code ""}. */
    public static String normalizeAddress(String s) {
        if (s == null) {
            return "";
        }
        String a = s.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        return a.toLowerCase(Locale.ROOT);
    }

    /** The domain of an address ({@code ""} when it has none). */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }
}
