package org.portcullis.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.osgi.framework.Bundle;

/**
 * Loads a bundle's migration scripts ({@code V<n>__<description>.sql}) from a folder inside it.
 * A bundle that owns a schema names it in its manifest ({@value #SCHEMA_HEADER}, with the
 * scripts in {@value #FOLDER}), so an update can apply the new bundles' migrations together
 * before they start: put {@code @Header(name = MigrationScripts.SCHEMA_HEADER, value = "<schema>")}
 * on the component that migrates.
 */
public final class MigrationScripts {

    /** The manifest header naming the schema a bundle owns and migrates. */
    public static final String SCHEMA_HEADER = "Portcullis-Schema";

    /** Where in the bundle its migrations are. */
    public static final String FOLDER = "db/migration";

    /**
     * How a schema's comment starts when its tables are live state, not data: backups leave it
     * out and restores leave it as it is. A migration says so with
     * {@code COMMENT ON SCHEMA <schema> IS 'portcullis:not-backed-up …why…'}.
     */
    public static final String NOT_BACKED_UP = "portcullis:not-backed-up";

    private MigrationScripts() {
    }

    /**
     * Reads every {@code V*.sql} file directly in {@code folder} of the bundle (fragments included).
     *
     * @throws MigrationException when a file cannot be read or is badly named
     */
    public static List<Migration> fromBundle(Bundle bundle, String folder) throws MigrationException {
        Enumeration<URL> entries = bundle.findEntries(folder, "*.sql", false);
        List<Migration> result = new ArrayList<>();
        for (URL url : entries == null ? Collections.<URL>emptyList() : Collections.list(entries)) {
            String path = url.getPath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            try (InputStream in = url.openStream()) {
                result.add(Migration.of(name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new MigrationException(bundle.getSymbolicName() + ": cannot read migration " + path
                        + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new MigrationException(bundle.getSymbolicName() + ": " + e.getMessage());
            }
        }
        return result;
    }
}
