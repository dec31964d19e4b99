package org.portcullis.cluster.command;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.cluster.Cluster;
import org.portcullis.cluster.ClusterStatus;

/** {@code cluster:status}: the nodes, their roles and versions, the lease and epoch, the last Primary-only job runs. */
@Command(scope = "cluster", name = "status", description = "Shows the cluster's nodes, roles, versions, epoch and heartbeats")
@Service
public class StatusCommand extends AccountCommand {

    @Reference
    Cluster cluster;

    @Override
    protected Right required() {
        return Right.CLUSTER;
    }

    @Override
    protected void run() {
        ClusterStatus s = cluster.status();
        System.out.println("This node: " + s.nodeId() + " (" + s.version() + "), " + (s.primary() ? "Primary, epoch " + s.epoch() : "Secondary")
                + (s.reachable() ? "" : "; the database does not answer: " + s.lastError()));
        if (!s.current(s.version())) {
            System.out.println("Update required: the cluster runs " + s.clusterVersion() + "; this node does not take the Primary's role");
        }
        if (s.snapshot() == null) {
            System.out.println("The cluster's tables cannot be read: " + s.lastError());
            return;
        }
        ClusterStatus.Lease lease = s.snapshot().lease();
        System.out.println("Lease: " + (lease.holder() == null || lease.left().isNegative() || lease.left().isZero()
                ? "free (epoch " + lease.epoch() + ")"
                : "held by " + lease.holder() + ", epoch " + lease.epoch() + ", " + millis(lease.left()) + " left"));
        ShellTable nodes = new ShellTable();
        for (String c : new String[] {"Node", "Address", "Version", "Role", "Started", "Last heartbeat", "Lag"}) {
            nodes.column(c);
        }
        for (ClusterStatus.Node n : s.snapshot().nodes()) {
            String role = n.primary() ? "Primary" : "Secondary";
            if (!s.current(n.version())) {
                role += " (update required)";
            }
            nodes.addRow().addContent(n.nodeId() + (n.nodeId().equals(s.nodeId()) ? " *" : ""), n.address(), n.version(), role,
                    n.started().truncatedTo(ChronoUnit.SECONDS), n.heartbeat().truncatedTo(ChronoUnit.MILLIS), millis(n.lag()));
        }
        nodes.print(System.out);
        if (!s.snapshot().jobs().isEmpty()) {
            ShellTable jobs = new ShellTable();
            for (String c : new String[] {"Job", "Node", "Epoch", "Started", "Finished", "Outcome"}) {
                jobs.column(c);
            }
            for (ClusterStatus.JobRun j : s.snapshot().jobs()) {
                jobs.addRow().addContent(j.name(), j.nodeId(), j.epoch(), j.started().truncatedTo(ChronoUnit.SECONDS),
                        j.finished() == null ? "-" : j.finished().truncatedTo(ChronoUnit.SECONDS), j.outcome() == null ? "-" : j.outcome());
            }
            jobs.print(System.out);
        }
        List<String> update = cluster.updateStatus();
        if (!update.isEmpty()) {
            System.out.println("The last cluster update:");
            update.forEach(l -> System.out.println("  " + l));
        }
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }
}
