package org.portcullis.cluster.command;

import java.util.HashMap;
import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.cluster.Cluster;
import org.portcullis.cluster.ClusterException;

/**
 * {@code cluster:leave}: hands the Primary's role over (if this node has it), takes this node out
 * of the cluster's nodes and points its storage back at its own embedded database, as it was
 * before it joined.
 */
@Command(scope = "cluster", name = "leave", description = "Leaves the cluster: this node goes back to its own embedded database")
@Service
public class LeaveCommand extends AccountCommand {

    /** Optional: a node whose cluster database is down at start has no Cluster service, and must still be able to leave. */
    @Reference(optional = true)
    Cluster cluster;

    @Reference
    ConfigurationAdmin configAdmin;

    @Override
    protected Right required() {
        return Right.CLUSTER;
    }

    @Override
    protected void run() throws Exception {
        if (StorageSettings.url(configAdmin).isEmpty()) {
            throw new ClusterException("this node uses its own embedded database: it is in no shared cluster to leave");
        }
        if (cluster == null) {
            System.out.println("The cluster's database does not answer: this node's row stays there (it shows as silent in cluster:status)");
        } else {
            try {
                cluster.leave();
            } catch (ClusterException e) {
                System.out.println(e.getMessage()); // its heartbeat has stopped: leaving goes on
            }
        }
        Map<String, String> changes = new HashMap<>();
        changes.put("url", null);
        changes.put("user", null);
        changes.put("password", null);
        StorageSettings.set(configAdmin, changes);
        System.out.println("This node left the cluster and uses its own embedded database again (its accounts are those it had "
                + "before it joined)");
    }
}
