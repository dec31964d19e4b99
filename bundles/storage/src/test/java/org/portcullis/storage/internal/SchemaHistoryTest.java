package org.portcullis.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

/** The storage bundle's own tables, created by several callers at once on a fresh database (a first boot). */
class SchemaHistoryTest {

    private final DataSource ds = TestDatabase.get();

    @Test
    void callersCreatingTheStorageTablesAtOnceAllSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 10; round++) {
                try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA IF EXISTS storage CASCADE");
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> callers = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    boolean history = i % 2 == 0;
                    callers.add(pool.submit(() -> {
                        go.await();
                        try (Connection c = ds.getConnection()) {
                            if (history) {
                                SchemaHistory.create(c); // as a bundle's migration does
                            } else {
                                ProductVersionRow.create(c); // as the product version's first read or write does
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : callers) {
                    f.get(); // a lost race surfaced as "duplicate key value violates unique constraint pg_namespace_nspname_index"
                }
            }
            try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'storage' AND tablename IN ('schema_history', 'product')")) {
                rs.next();
                assertEquals(2, rs.getLong(1));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
