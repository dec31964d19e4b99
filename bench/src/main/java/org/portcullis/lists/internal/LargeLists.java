package org.portcullis.lists.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/**
 * A generated list set for the benchmarks, one million entries across scopes and kinds, and
 * queries against it of which about half match something.
 */
final class LargeLists {

    static final int DOMAINS = 10_000;
    static final int USERS = 50_000;

    private LargeLists() {
    }

    /** About {@code total} entries: 35 % global, 30 % across {@value #DOMAINS} domains, 25 % across {@value #USERS} users, mixed kinds. */
    static List<ListEntry> generate(int total, long seed) {
        Random r = new Random(seed);
        List<ListEntry> out = new ArrayList<>(total);
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        long id = 0;
        java.util.Set<String> seen = new java.util.HashSet<>(total * 2);
        for (int n = 0; out.size() < total; n++) {
            Scope scope = n % 20 < 7 ? Scope.GLOBAL : n % 20 < 13 ? Scope.domain("corp" + r.nextInt(DOMAINS) + ".example")
                    : Scope.user("user" + r.nextInt(USERS) + "@corp" + r.nextInt(DOMAINS) + ".example");
            ListType list = r.nextInt(3) == 0 ? ListType.ALLOW : ListType.BLOCK;
            Pattern pattern = Pattern.parse(pattern(r, n));
            Instant expires = r.nextInt(10) == 0 ? now.plusSeconds(86_400L * (1 + r.nextInt(30))) : null;
            if (seen.add(list + " " + scope + " " + pattern)) { // the table allows each list+scope+pattern once
                out.add(new ListEntry(++id, list, scope, pattern, "", "bench", now, expires));
            }
        }
        return out;
    }

    private static String pattern(Random r, int n) {
        return switch (n % 10) {
            case 0, 1, 2, 3 -> "s" + r.nextInt(400_000) + "@sender" + r.nextInt(20_000) + ".example";
            case 4, 5 -> "sender" + r.nextInt(20_000) + ".example";
            case 6 -> "*.w" + r.nextInt(50_000) + ".example";
            case 7 -> r.nextBoolean() ? "10." + r.nextInt(256) + "." + r.nextInt(256) + ".0/24"
                    : "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
            case 8 -> "2001:db8:" + Integer.toHexString(r.nextInt(65_536)) + "::/48";
            default -> "from:f" + r.nextInt(100_000) + "@sender" + r.nextInt(20_000) + ".example";
        };
    }

    /** {@code count} queries, half of them built to hit generated patterns. */
    static List<Query> queries(int count, long seed) {
        Random r = new Random(seed);
        List<Query> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String sender = r.nextBoolean() ? "s" + r.nextInt(400_000) + "@sender" + r.nextInt(20_000) + ".example"
                    : "x" + r.nextInt(1_000_000) + "@mail.w" + r.nextInt(100_000) + ".example";
            byte[] ip = r.nextBoolean() ? new byte[] {10, (byte) r.nextInt(256), (byte) r.nextInt(256), (byte) r.nextInt(256)}
                    : Pattern.ipBytes("2001:db8:" + Integer.toHexString(r.nextInt(65_536)) + "::" + Integer.toHexString(r.nextInt(65_536)));
            String rcpt = "user" + r.nextInt(USERS) + "@corp" + r.nextInt(DOMAINS) + ".example";
            List<String> from = r.nextInt(4) == 0 ? List.of("f" + r.nextInt(100_000) + "@sender" + r.nextInt(20_000) + ".example") : List.of();
            out.add(new Query(sender, ip, rcpt, from));
        }
        return out;
    }
}
