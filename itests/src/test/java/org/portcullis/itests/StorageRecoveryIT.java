package org.portcullis.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import javax.inject.Inject;
import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.portcullis.storage.Migration;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.portcullis.storage.StorageStatus;

/**
 * An external PostgreSQL replaces the embedded one, goes down and comes back, and a wrong URL
 * is fixed through configuration: the container keeps running and recovers without a restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StorageRecoveryIT extends PortcullisTestSupport {

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    @Test
    public void externalDatabaseOutageIsReportedAndRecoveredFrom() throws Exception {
        File dataDir = Files.createTempDirectory(scratch(), "external-pg").toFile();
        int port = freePort();
        EmbeddedPostgres external = startExternal(dataDir, port);
        try {
            configure("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
            await("storage on the external database", () -> {
                StorageStatus s = status();
                return s.reachable() && !s.embedded() && s.url().contains(":" + port + "/");
            });
            SchemaMigrator migrator = awaitService(SchemaMigrator.class, null);
            migrator.migrate("itest_recovery", List.of(Migration.of("V1__create.sql",
                    "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the outage');")));

            external.close();
            await("outage reported", () -> !status().reachable() && !status().lastError().isEmpty());
            String down = executeCommand("storage:status");
            assertTrue(down, down.contains("UNREACHABLE"));
            assertTrue(down, down.contains("Error    : "));
            assertTrue("the container keeps running", awaitService(Storage.class, null) != null);

            external = startExternal(dataDir, port);
            await("recovered after the database came back", () -> status().reachable());
            DataSource ds = awaitService(DataSource.class, Storage.DATA_SOURCE_FILTER);
            assertEquals("before the outage", queryOne(ds, "SELECT v FROM itest_recovery.kept"));
            String up = executeCommand("storage:status");
            assertTrue(up, up.contains("State    : reachable"));
            assertTrue(up, up.contains("itest_recovery"));
        } finally {
            external.close();
        }
    }

    @Test
    public void wrongUrlIsReportedAndFixingTheConfigRecovers() throws Exception {
        int nothingListens = freePort();
        configure("jdbc:postgresql://127.0.0.1:" + nothingListens + "/portcullis?password=hunter2");
        await("wrong URL reported", () -> {
            StorageStatus s = status();
            return !s.reachable() && s.url().contains(":" + nothingListens + "/") && !s.lastError().isEmpty();
        });
        String out = executeCommand("storage:status");
        assertTrue(out, out.contains("UNREACHABLE"));
        assertFalse("password shown: " + out, out.contains("hunter2"));

        File dataDir = Files.createTempDirectory(scratch(), "fixed-pg").toFile();
        int port = freePort();
        try (EmbeddedPostgres fixed = startExternal(dataDir, port)) {
            configure("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
            await("fixed URL reachable", () -> status().reachable() && status().url().contains(":" + port + "/"));
        }
    }

    @Test
    public void statusCommandStaysWhileTheStorageComponentIsDown() throws Exception {
        ComponentDescriptionDTO storage = scr.getComponentDescriptionDTO(
                FrameworkUtil.getBundle(Storage.class), "org.portcullis.storage.internal.StorageManager");
        scr.disableComponent(storage).getValue();
        try {
            await("storage service gone", () -> bundleContext.getServiceReference(Storage.class) == null);
            String out = executeCommand("storage:status");
            assertTrue(out, out.contains("NOT ACTIVE"));
        } finally {
            scr.enableComponent(storage).getValue();
        }
        await("storage back", () -> bundleContext.getServiceReference(Storage.class) != null);
        assertTrue(executeCommand("storage:status").contains("Database : "));
    }

    /** Inside the test container's own folder (under target/), never left behind in /tmp. */
    private static java.nio.file.Path scratch() throws java.io.IOException {
        return Files.createDirectories(java.nio.file.Paths.get(System.getProperty("karaf.data"), "scratch"));
    }

    /** A configuration change re-activates the storage component, so look the service up every time. */
    private StorageStatus status() {
        try {
            return awaitService(Storage.class, null).status();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void configure(String url) throws Exception {
        Configuration config = configAdmin.getConfiguration("org.portcullis.storage", null);
        Dictionary<String, Object> props = config.getProperties() == null ? new Hashtable<>() : config.getProperties();
        props.put("url", url);
        props.put("user", "postgres");
        props.put("health.interval.seconds", "1");
        props.put("connect.timeout.seconds", "2");
        config.update(props);
    }

    private static EmbeddedPostgres startExternal(File dataDir, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .setRegisterShutdownHook(false).start();
    }

    private static String queryOne(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
