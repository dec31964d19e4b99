package org.portcullis.lists.internal;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import org.postgresql.PGConnection;
import org.portcullis.lists.ListEntry;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Loads one million entries into a real PostgreSQL (embedded, its own temporary directory), then
 * times a full load of the index from the database — what every node does at start and after a
 * reconnect — and the heap the index holds.
 */
public final class ListLoadMeasure {

    private ListLoadMeasure() {
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<ListEntry> entries = LargeLists.generate(total, 42);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA lists");
                st.execute("SET search_path = lists");
                st.execute(new String(ListLoadMeasure.class.getResourceAsStream("/db/migration/V1__entries.sql").readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
                StringBuilder rows = new StringBuilder();
                for (ListEntry e : entries) {
                    rows.append(e.list().id()).append('\t').append(e.scope()).append('\t').append(e.pattern().value()).append("\t\tbench\t")
                            .append(e.created()).append('\t').append(e.expires() == null ? "\\N" : e.expires().toString()).append('\n');
                }
                long copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                        "COPY lists.entries (list, scope, pattern, comment, creator, created, expires) FROM STDIN", new StringReader(rows.toString()));
                System.out.println("rows in lists.entries: " + copied);
            }
            entries = null;
            ListStore store = new ListStore(pg.getPostgresDatabase());
            for (int run = 1; run <= 3; run++) {
                System.gc();
                long heapBefore = usedHeap();
                long start = System.nanoTime();
                List<ListEntry> loaded = store.loadAll();
                long queried = System.nanoTime();
                ListIndex index = ListIndex.of(loaded);
                long built = System.nanoTime();
                loaded = null;
                System.gc();
                long heapAfter = usedHeap();
                System.out.println(String.format(Locale.ROOT,
                        "run %d: full load of %d entries %.2f s (query and parse %.2f s, index %.2f s); heap held by the index %.0f MiB",
                        run, index.size(), (built - start) / 1e9, (queried - start) / 1e9, (built - queried) / 1e9,
                        (heapAfter - heapBefore) / 1048576.0));
                if (index.size() < 0) {
                    throw new IllegalStateException(); // keeps the index reachable until measured
                }
            }
        }
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
