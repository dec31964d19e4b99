package org.portcullis.cluster.rest;

import java.time.Instant;
import java.util.List;

import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Right;
import org.portcullis.cluster.Cluster;
import org.portcullis.cluster.ClusterException;
import org.portcullis.cluster.ClusterStatus;
import org.portcullis.rest.Api;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /cluster} (right {@code cluster}): this node's view of the cluster ({@code cluster:status}),
 * every term so far, and {@code POST /cluster/promote} ({@code cluster:promote}). Times are
 * ISO-8601 instants, durations milliseconds.
 */
@Component(service = ClusterResource.class, property = {Api.RESOURCE})
@Path("cluster")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRight(Right.CLUSTER)
public class ClusterResource {

    /** {@code lease}, {@code nodes} and {@code jobs} are null when the database did not answer ({@code lastError} says why). */
    public record StatusView(String nodeId, boolean primary, long epoch, String version, String clusterVersion, boolean reachable,
            String lastError, LeaseView lease, List<NodeView> nodes, List<JobView> jobs) {
    }

    public record LeaseView(String holder, long epoch, long leftMillis) {
    }

    public record NodeView(String nodeId, String address, String version, String role, boolean updateRequired, String started,
            String heartbeat, long lagMillis) {
    }

    public record JobView(String name, String nodeId, long epoch, String started, String finished, String outcome) {
    }

    public record TermView(long epoch, String nodeId, String began, String ended, String how) {
    }

    public record Promoted(String nodeId, long epoch) {
    }

    @Reference
    private Cluster cluster;

    @GET
    public StatusView status() {
        ClusterStatus s = cluster.status();
        ClusterStatus.Snapshot db = s.snapshot();
        return new StatusView(s.nodeId(), s.primary(), s.epoch(), s.version(), s.clusterVersion(), s.reachable(), s.lastError(),
                db == null ? null : new LeaseView(db.lease().holder(), db.lease().epoch(), Math.max(0, db.lease().left().toMillis())),
                db == null ? null : db.nodes().stream().map(n -> new NodeView(n.nodeId(), n.address(), n.version(),
                        n.primary() ? "primary" : "secondary", !s.current(n.version()), text(n.started()), text(n.heartbeat()),
                        n.lag().toMillis())).toList(),
                db == null ? null : db.jobs().stream().map(j -> new JobView(j.name(), j.nodeId(), j.epoch(), text(j.started()),
                        text(j.finished()), j.outcome())).toList());
    }

    /** The newest cluster update as lines (as cluster:status shows it); empty when there was none. */
    @GET
    @Path("update")
    public List<String> update() {
        return cluster.updateStatus();
    }

    @GET
    @Path("terms")
    public List<TermView> terms() throws ClusterException {
        return cluster.terms().stream().map(t -> new TermView(t.epoch(), t.nodeId(), text(t.began()), text(t.ended()), t.how())).toList();
    }

    @POST
    @Path("promote")
    public Promoted promote() throws ClusterException {
        long epoch = cluster.promote();
        return new Promoted(cluster.status().nodeId(), epoch);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
