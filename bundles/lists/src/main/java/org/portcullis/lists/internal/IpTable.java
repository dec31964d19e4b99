package org.portcullis.lists.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Pattern;

/**
 * IPv4 and IPv6 networks: one hash table per prefix length in use, so a lookup costs one probe
 * per distinct prefix length, longest first, with the address masked arithmetically.
 */
final class IpTable {

    private record V6(long hi, long lo) {
    }

    /** Index = prefix length; null where no network of that length exists. */
    @SuppressWarnings("unchecked")
    private final Slots<Integer>[] v4 = new Slots[33];
    @SuppressWarnings("unchecked")
    private final Slots<V6>[] v6 = new Slots[129];
    private int[] lengths4 = new int[0];
    private int[] lengths6 = new int[0];

    void add(Pattern p, ListEntry e) {
        int prefix = p.prefix();
        ByteBuffer b = ByteBuffer.wrap(p.network());
        if (p.network().length == 4) {
            if (v4[prefix] == null) {
                v4[prefix] = new Slots<>();
                lengths4 = withLength(lengths4, prefix);
            }
            v4[prefix].put(b.getInt(), e);
        } else {
            if (v6[prefix] == null) {
                v6[prefix] = new Slots<>();
                lengths6 = withLength(lengths6, prefix);
            }
            v6[prefix].put(new V6(b.getLong(), b.getLong()), e);
        }
    }

    void collect(byte[] address, Instant now, List<ListEntry> out) {
        if (address == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(address);
        if (address.length == 4) {
            int ip = b.getInt();
            for (int len : lengths4) {
                v4[len].collect(len == 0 ? 0 : ip & (-1 << (32 - len)), now, out);
            }
        } else {
            long hi = b.getLong();
            long lo = b.getLong();
            for (int len : lengths6) {
                long mhi = len >= 64 ? hi : len == 0 ? 0 : hi & (-1L << (64 - len));
                long mlo = len <= 64 ? 0 : len == 128 ? lo : lo & (-1L << (128 - len));
                v6[len].collect(new V6(mhi, mlo), now, out);
            }
        }
    }

    /** The prefix lengths in use, longest first. */
    private static int[] withLength(int[] lengths, int len) {
        int[] more = Arrays.copyOf(lengths, lengths.length + 1);
        more[lengths.length] = len;
        Arrays.sort(more);
        for (int i = 0; i < more.length / 2; i++) {
            int t = more[i];
            more[i] = more[more.length - 1 - i];
            more[more.length - 1 - i] = t;
        }
        return more;
    }
}
