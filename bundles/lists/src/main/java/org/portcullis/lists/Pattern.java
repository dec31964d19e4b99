package org.portcullis.lists;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * What an entry matches, as an admin writes it:
 * <ul>
 * <li>{@code bob@example.com} — that envelope sender;</li>
 * <li>{@code example.com} — envelope senders at that domain, not its subdomains;</li>
 * <li>{@code *.example.com} — envelope senders at that domain and every subdomain;</li>
 * <li>{@code 192.0.2.7}, {@code 192.0.2.0/24}, {@code 2001:db8::/32} — the SMTP client's address;</li>
 * <li>{@code from:bob@example.com}, {@code from:example.com}, {@code from:*.example.com} — the
 *     header {@code From:} address, likewise.</li>
 * </ul>
 *
 * @param kind what part of the message is compared
 * @param value the canonical text: lower case; a network as {@code address/prefix}
 * @param network for {@link Kind#CLIENT_IP}, the network's address bytes (4 or 16)
 * @param prefix for {@link Kind#CLIENT_IP}, the prefix length
 */
public record Pattern(Kind kind, String value, byte[] network, int prefix) {

    public enum Kind {
        SENDER_ADDRESS, SENDER_DOMAIN, SENDER_SUBDOMAINS, CLIENT_IP, FROM_ADDRESS, FROM_DOMAIN, FROM_SUBDOMAINS;

        /** Whether the header From decides it (known only at end of message). */
        public boolean headerFrom() {
            return this == FROM_ADDRESS || this == FROM_DOMAIN || this == FROM_SUBDOMAINS;
        }
    }

    public static Pattern parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw ListException.invalid("pattern", text, "empty");
        }
        if (t.startsWith("from:")) {
            Pattern p = parseName(t.substring(5), text);
            if (p == null) {
                throw ListException.invalid("pattern", text, "after from: comes an address, a domain or *.domain");
            }
            Kind k = switch (p.kind) {
                case SENDER_ADDRESS -> Kind.FROM_ADDRESS;
                case SENDER_DOMAIN -> Kind.FROM_DOMAIN;
                default -> Kind.FROM_SUBDOMAINS;
            };
            return new Pattern(k, "from:" + p.value, null, 0);
        }
        if (t.contains(":") || t.matches("[0-9./]+")) {
            return parseNetwork(t, text);
        }
        Pattern p = parseName(t, text);
        if (p == null) {
            throw ListException.invalid("pattern", text, "not an address, a domain, *.domain, an IP address or a CIDR network");
        }
        return p;
    }

    private static Pattern parseName(String t, String original) {
        if (t.contains("@")) {
            return Names.isAddress(t) ? new Pattern(Kind.SENDER_ADDRESS, t, null, 0) : null;
        }
        if (t.startsWith("*.")) {
            return Names.isDomain(t.substring(2)) ? new Pattern(Kind.SENDER_SUBDOMAINS, t, null, 0) : null;
        }
        return Names.isDomain(t) ? new Pattern(Kind.SENDER_DOMAIN, t, null, 0) : null;
    }

    private static Pattern parseNetwork(String t, String original) {
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = ipBytes(address);
        if (bytes == null) {
            throw ListException.invalid("pattern", original, "not an IPv4 or IPv6 address");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw ListException.invalid("pattern", original, "prefix length '" + p + "' is not 0 to " + bits);
            }
            prefix = Integer.parseInt(p);
        }
        byte[] network = mask(bytes, prefix);
        if (!java.util.Arrays.equals(network, bytes)) {
            throw ListException.invalid("pattern", original, "has host bits set; the network is " + text(network) + "/" + prefix);
        }
        return new Pattern(Kind.CLIENT_IP, text(network) + "/" + prefix, network, prefix);
    }

    /** The bytes of an IP literal (4 or 16), or {@code null}; never a DNS lookup. */
    public static byte[] ipBytes(String s) {
        if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            byte[] b = new byte[4];
            String[] parts = s.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return b;
        }
        if (s.contains(":") && s.matches("[0-9a-f:.]+")) {
            try {
                return InetAddress.getByName(s).getAddress(); // a literal with ':' is never looked up
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /** The first {@code prefix} bits of {@code address}, the rest zero. */
    public static byte[] mask(byte[] address, int prefix) {
        byte[] m = address.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] &= (byte) (0xff << (8 - keep));
        }
        return m;
    }

    private static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pattern p && p.kind == kind && p.value.equals(value);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
