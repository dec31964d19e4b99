package org.portcullis.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

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
        return new ByteArrayInputStream(TestBundle.of("org.portcullis.itests.schema-owner", version, "org.osgi.framework,org.portcullis.storage")
                .withClass(MigratingComponent.class)
                .withComponent(COMPONENT, " immediate=\"true\" activate=\"activate\"",
                        "<implementation class=\"" + MigratingComponent.class.getName() + "\"/>"
                        + "<reference name=\"migrator\" interface=\"org.portcullis.storage.SchemaMigrator\" field=\"migrator\"/>")
                .with("db/migration/V1__create_entries.sql", v1)
                .build());
    }
}
