package org.portcullis.updater.rest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Right;
import org.portcullis.core.ProductInfo;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.portcullis.rest.RequiresRight;
import org.portcullis.updater.Updates;
import org.portcullis.updater.pkg.EntryNames;
import org.portcullis.updater.pkg.PackageException;

/**
 * {@code /updates} (right {@code update}): the kept packages and the state, the prechecks, what
 * the update URL offers, downloads and applies as jobs (202 and a job to poll). An apply job is
 * its log file: it survives this resource being swapped by the very update it follows, and
 * {@code ?from=N} returns the log from line N on, so a client streams it. Packages are named as
 * kept here ({@code update:list}); the API takes no file paths.
 */
@Component(service = UpdatesResource.class, property = {Api.RESOURCE})
@javax.ws.rs.Path("updates")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRight(Right.UPDATE)
public class UpdatesResource {

    public record State(String running, List<String> packages, List<String> status) {
    }

    public record CheckView(String name, boolean passed, String reason) {
    }

    public record DownloadBody(String to) {
    }

    /** {@code cluster}: update every node of the cluster in turn ({@code update:apply --cluster}). */
    public record ApplyBody(String file, Boolean cluster) {
    }

    /** A job: kind download or apply; state running, succeeded or failed; the log (from line {@code from}) and the next line's number. */
    public record JobView(String id, String kind, String by, String state, String started, long bytesDone, long bytesTotal, String file,
            List<String> log, int next, String error) {
    }

    private static final class Download {
        final String id = java.util.UUID.randomUUID().toString();
        final String by;
        final Instant started = Instant.now();
        volatile String state = "running";
        volatile long done;
        volatile long total = -1;
        volatile String file;
        volatile String error;

        Download(String by) {
            this.by = by;
        }

        JobView view() {
            return new JobView(id, "download", by, state, started.toString(), done, total, file, List.of(), 0, error);
        }
    }

    @Reference
    private Updates updates;

    @Reference
    private ProductInfo product;

    private final Map<String, Download> downloads = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portcullis-update-download");
        t.setDaemon(true);
        return t;
    });

    @Deactivate
    void deactivate() {
        runner.shutdownNow();
    }

    @GET
    public State state() {
        return new State(product.version(), updates.packages().stream().map(p -> p.getFileName().toString()).toList(), updates.status());
    }

    @GET
    @javax.ws.rs.Path("precheck")
    public List<CheckView> precheck(@QueryParam("file") String file) {
        return updates.precheck(kept(file)).stream().map(c -> new CheckView(c.name(), c.passed(), c.reason())).toList();
    }

    @GET
    @javax.ws.rs.Path("offers")
    public List<Updates.Offer> offers() {
        return updates.check();
    }

    @GET
    @javax.ws.rs.Path("history")
    public List<Updates.Past> history() {
        return updates.history();
    }

    /** Downloads the offered update to {@code to} (the only one offered when absent). */
    @POST
    @javax.ws.rs.Path("downloads")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response download(@Context SecurityContext sc, DownloadBody body) {
        String to = body == null ? null : body.to();
        List<Updates.Offer> offers = updates.check().stream().filter(o -> to == null || o.to().equals(to)).toList();
        if (offers.size() != 1) {
            throw new PackageException(offers.isEmpty() ? "no update " + (to == null ? "" : "to " + to + " ") + "is offered for the running version"
                    : "several updates are offered; name one in {\"to\": \"...\"}");
        }
        Download d = new Download(Api.caller(sc).name());
        downloads.put(d.id, d);
        runner.submit(() -> {
            try {
                d.file = updates.download(offers.get(0), (done, total) -> {
                    d.done = done;
                    d.total = total;
                }).getFileName().toString();
                d.state = "succeeded";
            } catch (RuntimeException e) {
                d.error = e.getMessage() == null ? e.toString() : e.getMessage();
                d.state = "failed";
            }
        });
        return Response.accepted(d.view()).header("Location", Api.BASE + "/updates/jobs/" + d.id).build();
    }

    /**
     * Applies a kept package (the newest when absent) once every precheck passed; refused with its
     * reasons otherwise. With {@code "cluster": true}, to every node of the cluster in turn: the
     * job is then the cluster update's log.
     */
    @POST
    @javax.ws.rs.Path("apply")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response apply(@Context SecurityContext sc, ApplyBody body) throws IOException {
        java.nio.file.Path file = kept(body == null ? null : body.file());
        java.nio.file.Path log = body != null && Boolean.TRUE.equals(body.cluster()) ? updates.applyCluster(file) : updates.apply(file);
        String id = log.getFileName().toString().replaceFirst("\\.log$", "");
        return Response.accepted(applyJob(id, log, 0)).header("Location", Api.BASE + "/updates/jobs/" + id).build();
    }

    @GET
    @javax.ws.rs.Path("jobs/{id}")
    public Response job(@PathParam("id") String id, @QueryParam("from") int from) throws IOException {
        Download d = downloads.get(id);
        if (d != null) {
            return Response.ok(d.view()).build();
        }
        if (id.matches("[0-9A-Za-z.]+(-[0-9A-Za-z.]+)*")) {
            java.nio.file.Path log = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "updates", id + ".log");
            if (Files.isRegularFile(log)) {
                return Response.ok(applyJob(id, log, Math.max(0, from))).build();
            }
        }
        return new ApiError("not_found", "no update job " + id).response(404);
    }

    /** An apply, read from its log: running until its last line ({@code 006: }) is there. */
    private static JobView applyJob(String id, java.nio.file.Path log, int from) throws IOException {
        List<String> lines = Files.isRegularFile(log) ? Files.readAllLines(log) : List.of();
        String last = lines.stream().filter(l -> l.startsWith("006: ")).reduce((a, b) -> b).orElse(null);
        String state = last == null ? "running" : last.equals("006: OK") ? "succeeded" : "failed";
        List<String> part = from >= lines.size() ? List.of() : lines.subList(from, lines.size());
        return new JobView(id, "apply", null, state, null, 0, -1, null, part, lines.size(),
                last == null || state.equals("succeeded") ? null : last.substring(5));
    }

    /** A kept package by its name; {@code null}: the newest. */
    private java.nio.file.Path kept(String name) {
        List<java.nio.file.Path> kept = updates.packages();
        if (name == null || name.isBlank()) {
            if (kept.isEmpty()) {
                throw new PackageException("no update package is kept here: download one (POST /updates/downloads) or use update:install-file");
            }
            return kept.get(kept.size() - 1);
        }
        return kept.stream().filter(p -> p.getFileName().toString().equals(name)).findFirst()
                .orElseThrow(() -> new PackageException("no kept update package is named '" + EntryNames.printable(name) + "' (GET /updates)"));
    }
}
