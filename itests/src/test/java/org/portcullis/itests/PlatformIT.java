package org.portcullis.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import javax.inject.Inject;
import javax.sql.DataSource;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime;
import org.osgi.service.jaxrs.runtime.dto.ApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.RuntimeDTO;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.storage.ChecksumMismatchException;
import org.portcullis.storage.Migration;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;

/** The distribution as built: features at boot, the embedded database, commands and services. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends PortcullisTestSupport {

    @Inject
    private FeaturesService features;

    @Test
    public void bootsEveryPortcullisFeature() throws Exception {
        for (String feature : List.of("portcullis", "portcullis-core", "portcullis-storage", "portcullis-scanner-api")) {
            assertTrue(feature + " not installed", features.isInstalled(features.getFeature(feature)));
        }
    }

    @Test
    public void versionCommandShowsTheBuildVersion() throws Exception {
        String out = executeCommand("portcullis:version");
        assertEquals("Portcullis " + System.getProperty("portcullis.version"), out.strip());
        String commands = executeCommand("portcullis:commands");
        for (String c : new String[] {"milter:status", "storage:status", "portcullis:maintenance"}) { // what this container runs
            assertTrue(c + " in:\n" + commands, commands.contains(c));
        }
    }

    @Test
    public void storageStatusShowsTheEmbeddedDatabaseAndSchemas() throws Exception {
        Storage storage = awaitService(Storage.class, null);
        await("embedded database reachable", () -> storage.status().reachable());
        SchemaMigrator migrator = awaitService(SchemaMigrator.class, null);
        migrator.migrate("itest_status", List.of(Migration.of("V1__create.sql", "CREATE TABLE t (id int);"),
                Migration.of("V2__add_name.sql", "ALTER TABLE t ADD COLUMN name text;")));

        String out = executeCommand("storage:status");
        assertEquals(out, !externalDatabaseInUse(), out.contains("(embedded)"));
        assertTrue(out, out.contains("State    : reachable"));
        assertTrue(out, out.contains(externalDatabaseInUse() ? "Server   : PostgreSQL" : "Server   : PostgreSQL 17"));
        assertTrue(out, out.matches("(?s).*itest_status\\s+\\|\\s+2\\s+\\|\\s+add name.*"));
    }

    @Test
    public void dataSourceServiceReachesTheDatabase() throws Exception {
        DataSource ds = awaitService(DataSource.class, Storage.DATA_SOURCE_FILTER);
        awaitService(SchemaMigrator.class, null);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database(), current_setting('fsync')")) {
            assertTrue(rs.next());
            if (!externalDatabaseInUse()) {
                assertEquals("portcullis", rs.getString(1));
            }
            assertEquals("on", rs.getString(2));
        }
    }

    @Test
    public void migrationServiceRefusesAnEditedMigrationByName() throws Exception {
        SchemaMigrator migrator = awaitService(SchemaMigrator.class, null);
        assertEquals(1, migrator.migrate("itest_checksum", List.of(Migration.of("V1__create.sql", "CREATE TABLE t (id int);"))));
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> migrator.migrate("itest_checksum",
                List.of(Migration.of("V1__create.sql", "CREATE TABLE t (id bigint);"))));
        assertTrue(e.getMessage(), e.getMessage().contains("V1__create.sql"));
    }

    @Test
    public void maintenanceCommandSwitchesTheServiceAndPersistsIt() throws Exception {
        MaintenanceMode mode = awaitService(MaintenanceMode.class, null);
        Path file = Paths.get(System.getProperty("karaf.data"), "portcullis", "maintenance.properties");

        String on = executeCommand("portcullis:maintenance on disk replacement");
        assertTrue(on, on.contains("Maintenance: on"));
        assertTrue(on, on.contains("disk replacement"));
        assertTrue(mode.isActive());
        assertEquals("disk replacement", mode.state().reason());
        assertTrue(Files.readString(file).contains("active=true"));

        assertTrue(executeCommand("portcullis:maintenance status").contains("disk replacement"));

        String off = executeCommand("portcullis:maintenance off");
        assertTrue(off, off.contains("Maintenance: off"));
        assertFalse(mode.isActive());
        assertTrue(Files.readString(file).contains("active=false"));
    }

    @Test
    public void unknownMaintenanceActionIsRefusedInOneLine() throws Exception {
        MaintenanceMode mode = awaitService(MaintenanceMode.class, null);
        Exception e = assertThrows(Exception.class, () -> executeCommand("portcullis:maintenance sideways"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown action 'sideways'"));
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(mode.isActive());
    }

    @Test
    public void everyPartOfTheApiIsServedByTheWhiteboard() throws Exception {
        JaxrsServiceRuntime runtime = awaitService(JaxrsServiceRuntime.class, "(osgi.jaxrs.endpoint=*)");
        ServiceReference<?>[] parts = bundleContext.getAllServiceReferences(null, "(portcullis.api=*)");
        assertTrue("the API's own parts and the other bundles' ones", parts != null && parts.length >= 15);
        await("each of " + parts.length + " parts served in /api/v1: " + unserved(runtime, parts), () -> unserved(runtime, parts).isEmpty());
        assertEquals("one whiteboard copy per part", parts.length, bundleContext.getAllServiceReferences(null, "(portcullis.api.part.id=*)").length);
        RuntimeDTO dto = runtimeDTO(runtime);
        assertEquals("nothing the whiteboard refused", 0, dto.failedResourceDTOs.length + dto.failedExtensionDTOs.length
                + dto.failedApplicationDTOs.length);
    }

    @Test
    public void partsRegisteredFromManyThreadsAtOnceAreAllServedThenWithdrawn() throws Exception {
        JaxrsServiceRuntime runtime = awaitService(JaxrsServiceRuntime.class, "(osgi.jaxrs.endpoint=*)");
        List<ServiceRegistration<?>> registrations = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(8);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 5; i++) {
                        java.util.Hashtable<String, Object> p = new java.util.Hashtable<>();
                        p.put("portcullis.api", "resource");
                        registrations.add(bundleContext.registerService(ProbeResource.class, new ProbeResource(), p));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(40, registrations.size());
        ServiceReference<?>[] probes = registrations.stream().map(ServiceRegistration::getReference).toArray(ServiceReference<?>[]::new);
        await("all 40 probe resources served: " + unserved(runtime, probes).size() + " are not", () -> unserved(runtime, probes).isEmpty());
        List<Object> ids = java.util.Arrays.stream(probes).map(r -> r.getProperty("service.id")).toList();
        for (ServiceRegistration<?> r : registrations) {
            r.unregister();
        }
        // unregistering a part returns once the whiteboard has let go of it: no copy is left
        for (Object id : ids) {
            assertEquals("copy of part " + id, null, bundleContext.getAllServiceReferences(null, "(portcullis.api.part.id=" + id + ")"));
        }
    }

    /** The parts among {@code parts} that have no copy which the whiteboard serves in the portcullis application. */
    private List<ServiceReference<?>> unserved(JaxrsServiceRuntime runtime, ServiceReference<?>[] parts) {
        java.util.Set<Long> served = new java.util.HashSet<>();
        for (ApplicationDTO app : runtimeDTO(runtime).applicationDTOs) {
            if ("portcullis".equals(app.name)) {
                java.util.Arrays.stream(app.resourceDTOs).forEach(r -> served.add(r.serviceId));
                java.util.Arrays.stream(app.extensionDTOs).forEach(e -> served.add(e.serviceId));
            }
        }
        List<ServiceReference<?>> missing = new java.util.ArrayList<>();
        for (ServiceReference<?> part : parts) {
            try {
                ServiceReference<?>[] copies = bundleContext.getAllServiceReferences(null, "(portcullis.api.part.id=" + part.getProperty("service.id") + ")");
                if (copies == null || copies.length != 1 || !served.contains((Long) copies[0].getProperty("service.id"))) {
                    missing.add(part);
                }
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return missing;
    }

    /** The whiteboard's view; building it while the whiteboard is busy can throw (Aries 2.0.2), so it is asked again. */
    private static RuntimeDTO runtimeDTO(JaxrsServiceRuntime runtime) {
        for (int attempt = 1;; attempt++) {
            try {
                return runtime.getRuntimeDTO();
            } catch (java.util.ConcurrentModificationException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /** A resource of the probe; many instances at once, each its own service. */
    @javax.ws.rs.Path("itest-probe")
    public static class ProbeResource {
        @javax.ws.rs.GET
        public String get() {
            return "probe";
        }
    }
}
