package org.portcullis.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.portcullis.itests.fixture.MigratingComponent;
import org.portcullis.storage.SchemaMigrator;

/**
 * A bundle that owns a schema, installed at run time: its component migrates on activation,
 * and an edited migration stops it with a message naming the migration.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchemaOwnerIT extends PortcullisTestSupport {

    private static final String COMPONENT = "itest.schema.owner";
    private static final String V1 = "CREATE TABLE entries (id int);";

    @Inject
    private ServiceComponentRuntime scr;

    @Test
    public void editedMigrationStopsTheOwningComponentNamingTheMigration() throws Exception {
        awaitService(SchemaMigrator.class, null);
        Bundle owner = bundleContext.installBundle("itest:schema-owner", schemaOwner("1.0.0", V1));
        try {
            owner.start();
            awaitState(owner, ComponentConfigurationDTO.ACTIVE);
            String status = executeCommand("storage:status");
            assertTrue(status, status.matches("(?s).*itest_owner\\s+\\|\\s+1\\s+\\|\\s+create entries.*"));

            owner.update(schemaOwner("1.0.1", "CREATE TABLE entries (id bigint);"));
            ComponentConfigurationDTO failed = awaitState(owner, ComponentConfigurationDTO.FAILED_ACTIVATION);
            assertTrue(failed.failure, failed.failure.contains("V1__create_entries.sql"));
            assertTrue(failed.failure, failed.failure.contains("changed after it was applied"));

            owner.update(schemaOwner("1.0.2", V1));
            awaitState(owner, ComponentConfigurationDTO.ACTIVE);
        } finally {
            owner.uninstall();
        }
    }

    private ComponentConfigurationDTO awaitState(Bundle bundle, int state) throws InterruptedException {
        ComponentConfigurationDTO[] last = new ComponentConfigurationDTO[1];
        await("component " + COMPONENT + " in state " + state, () -> {
            ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle, COMPONENT);
            if (description == null) {
                return false;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                if (c.state == state) {
                    last[0] = c;
                    return true;
                }
            }
            return false;
        });
        return last[0];
    }

    /** A bundle with the fixture component, its description, and one migration script. */
    private static InputStream schemaOwner(String version, String v1) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "org.portcullis.itests.schema-owner");
        main.putValue("Bundle-Version", version);
        main.putValue("Import-Package", "org.osgi.framework,org.portcullis.storage");
        main.putValue("Service-Component", "OSGI-INF/owner.xml");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            String classFile = MigratingComponent.class.getName().replace('.', '/') + ".class";
            try (InputStream in = MigratingComponent.class.getClassLoader().getResourceAsStream(classFile)) {
                put(jar, classFile, in.readAllBytes());
            }
            put(jar, "OSGI-INF/owner.xml", ("<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\""
                    + COMPONENT + "\" immediate=\"true\" activate=\"activate\">"
                    + "<implementation class=\"" + MigratingComponent.class.getName() + "\"/>"
                    + "<reference name=\"migrator\" interface=\"org.portcullis.storage.SchemaMigrator\" field=\"migrator\"/>"
                    + "</scr:component>").getBytes(StandardCharsets.UTF_8));
            put(jar, "db/migration/V1__create_entries.sql", v1.getBytes(StandardCharsets.UTF_8));
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    private static void put(JarOutputStream jar, String name, byte[] content) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(content);
        jar.closeEntry();
    }
}
