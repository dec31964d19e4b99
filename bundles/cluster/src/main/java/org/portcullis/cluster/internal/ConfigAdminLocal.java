package org.portcullis.cluster.internal;

import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** {@link SharedSettings.LocalConfig} over this node's {@link ConfigurationAdmin} (Karaf writes the changes back to {@code etc/}); the join and leave commands use it too. */
public final class ConfigAdminLocal implements SharedSettings.LocalConfig {

    private final ConfigurationAdmin admin;

    public ConfigAdminLocal(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    /** The PID's properties; a PID with no configuration is not created by asking (it reads as empty). */
    @Override
    public Map<String, String> get(String pid) throws Exception {
        // the PID is a value in a filter: its special characters are escaped, so it can only ever match itself
        Configuration[] found = admin.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid.replaceAll("([\\\\*()])", "\\\\$1") + ")");
        Dictionary<String, Object> d = found == null || found.length == 0 ? null : found[0].getProperties();
        Map<String, String> out = new TreeMap<>();
        if (d != null) {
            for (String key : Collections.list(d.keys())) {
                if (!key.equals(Constants.SERVICE_PID) && !key.startsWith("felix.fileinstall.")) {
                    out.put(key, String.valueOf(d.get(key)));
                }
            }
        }
        return out;
    }

    @Override
    public void set(String pid, Map<String, String> changes) throws Exception {
        Configuration c = admin.getConfiguration(pid, "?");
        Dictionary<String, Object> d = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        for (Map.Entry<String, String> kv : changes.entrySet()) {
            if (kv.getValue() == null) {
                d.remove(kv.getKey());
            } else {
                d.put(kv.getKey(), kv.getValue());
            }
        }
        c.updateIfDifferent(d);
    }
}
