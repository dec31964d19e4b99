package org.portcullis.lists;

import java.util.Locale;

/**
 * Whose list an entry is on: everyone's ({@code global}), one domain's ({@code domain:example.com},
 * for mail to that domain), or one user's ({@code user:bob@example.com}, for mail to that address).
 * The most specific scope that has a matching entry decides.
 */
public record Scope(Kind kind, String value) {

    public enum Kind {
        GLOBAL, DOMAIN, USER
    }

    public static final Scope GLOBAL = new Scope(Kind.GLOBAL, "");

    public static Scope domain(String domain) {
        return parse("domain:" + domain);
    }

    public static Scope user(String address) {
        return parse("user:" + address);
    }

    /** {@code global}, {@code domain:<domain>} or {@code user:<address>}. */
    public static Scope parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("global")) {
            return GLOBAL;
        }
        if (t.startsWith("domain:")) {
            String d = t.substring(7);
            if (!Names.isDomain(d)) {
                throw ListException.invalid("scope", text, "not a domain");
            }
            return new Scope(Kind.DOMAIN, d);
        }
        if (t.startsWith("user:")) {
            String a = t.substring(5);
            if (!Names.isAddress(a)) {
                throw ListException.invalid("scope", text, "not an email address");
            }
            return new Scope(Kind.USER, a);
        }
        throw ListException.invalid("scope", text, "use global, domain:<domain> or user:<address>");
    }

    @Override
    public String toString() {
        return kind == Kind.GLOBAL ? "global" : kind.name().toLowerCase(Locale.ROOT) + ":" + value;
    }
}
