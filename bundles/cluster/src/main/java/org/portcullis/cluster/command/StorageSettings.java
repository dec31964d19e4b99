package org.portcullis.cluster.command;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** This node's {@code org.portcullis.storage} settings, which {@code cluster:join} and {@code cluster:leave} change. */
final class StorageSettings {

    static final String PID = "org.portcullis.storage";

    private StorageSettings() {
    }

    /** The configured URL of an external database; empty: the embedded one. */
    static String url(ConfigurationAdmin admin) throws IOException {
        Dictionary<String, Object> d = admin.getConfiguration(PID, "?").getProperties();
        Object url = d == null ? null : d.get("url");
        return url == null ? "" : url.toString().strip();
    }

    /** Sets these keys (a null value removes the key); the storage component then opens the new pool. */
    static void set(ConfigurationAdmin admin, Map<String, String> changes) throws IOException {
        Configuration c = admin.getConfiguration(PID, "?");
        Dictionary<String, Object> d = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        changes.forEach((k, v) -> {
            if (v == null) {
                d.remove(k);
            } else {
                d.put(k, v);
            }
        });
        c.update(d);
    }
}
