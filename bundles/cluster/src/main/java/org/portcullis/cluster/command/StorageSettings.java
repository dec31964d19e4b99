package org.portcullis.cluster.command;

import java.util.Map;

import org.osgi.service.cm.ConfigurationAdmin;
import org.portcullis.cluster.internal.ConfigAdminLocal;

/** This node's {@code org.portcullis.storage} settings, which {@code cluster:join} and {@code cluster:leave} change. */
final class StorageSettings {

    static final String PID = "org.portcullis.storage";

    private StorageSettings() {
    }

    /** The configured URL of an external database; empty: the embedded one. */
    static String url(ConfigurationAdmin admin) throws Exception {
        return new ConfigAdminLocal(admin).get(PID).getOrDefault("url", "").strip();
    }

    /** Sets these keys (a null value removes the key); the storage component then opens the new pool. */
    static void set(ConfigurationAdmin admin, Map<String, String> changes) throws Exception {
        new ConfigAdminLocal(admin).set(PID, changes);
    }
}
