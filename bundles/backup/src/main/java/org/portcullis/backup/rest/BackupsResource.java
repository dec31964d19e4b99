package org.portcullis.backup.rest;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;
import javax.ws.rs.core.StreamingOutput;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Right;
import org.portcullis.backup.BackupException;
import org.portcullis.backup.BackupHeader;
import org.portcullis.backup.BackupInfo;
import org.portcullis.backup.internal.BackupFiles;
import org.portcullis.backup.Backups;
import org.portcullis.backup.internal.BackupJobs;
import org.portcullis.backup.internal.Passphrases;
import org.portcullis.backup.internal.SegmentedReader;
import org.portcullis.rest.AdminOnly;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /backups}: the {@code backup:*} operations. The right {@code backup} lets an account
 * list, make and verify backups and follow their jobs; downloading, uploading, deleting and
 * restoring are for admins only, because a backup holds every password hash and a restore
 * rewrites every account (a non-admin could otherwise edit its own role into a file and restore
 * it). Making, verifying and restoring run as jobs (202 and a job to poll); files go up and down
 * as streams, never whole in memory.
 */
@Component(service = BackupsResource.class, property = {Api.RESOURCE})
@Path("backups")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRight(Right.BACKUP)
public class BackupsResource {

    /** Enough to read a backup's clear header (its length is at most 64 KiB) and go back to the start. */
    private static final int HEADER_LOOKAHEAD = 14 + 64 * 1024;

    /** A backup file as the API shows it. */
    public record BackupView(String name, String created, String node, String productVersion, String key, long bytes) {
        static BackupView of(BackupInfo b) {
            return new BackupView(b.file().getFileName().toString(), b.header().created().toString(), b.header().node(),
                    b.header().productVersion(), b.header().keyKind(), b.fileBytes());
        }
    }

    /** Optional body of create, verify and restore: the passphrase; absent for the appliance key file. */
    public record KeyBody(String passphrase) {
    }

    /** A job: state queued, running, succeeded or failed; progress while it runs; the backup or the error after. */
    public record JobView(String id, String kind, String file, String by, String state, String phase, String part, int partsDone,
            int partsTotal, long bytesDone, long bytesTotal, String started, String finished, BackupView backup, List<String> parts,
            String error) {
        static JobView of(BackupJobs.Job j) {
            var p = j.progress();
            return new JobView(j.id(), j.kind(), j.file(), j.by(), j.state(), p == null ? null : p.phase(), p == null ? null : p.part(),
                    p == null ? 0 : p.partsDone(), p == null ? -1 : p.partsTotal(), p == null ? 0 : p.bytesDone(),
                    p == null ? -1 : p.bytesTotal(), j.started().toString(), j.finished() == null ? null : j.finished().toString(),
                    j.result() == null ? null : BackupView.of(j.result()), j.result() == null ? null : j.result().parts(), j.error());
        }
    }

    @Reference
    private Backups backups;

    /** This resource's jobs (in memory; they end with it). */
    private final BackupJobs jobs = new BackupJobs();

    @Deactivate
    void deactivate() {
        jobs.close();
    }

    @GET
    public List<BackupView> list() throws IOException {
        return backups.list().stream().map(BackupView::of).toList();
    }

    /** Starts a backup into the backup directory. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Context SecurityContext sc, KeyBody body) {
        char[] passphrase = passphrase(body);
        String name = backups.newName();
        return accepted(jobs.start("create", name, Api.caller(sc).name(),
                progress -> backups.create(backups.directory().resolve(name), passphrase, progress)));
    }

    @GET
    @Path("jobs")
    public List<JobView> jobs() {
        return jobs.all().stream().map(JobView::of).toList();
    }

    @GET
    @Path("jobs/{id}")
    public Response job(@PathParam("id") String id) {
        return jobs.get(id).map(j -> Response.ok(JobView.of(j)).build())
                .orElseGet(() -> new ApiError("not_found", "no backup job " + id).response(404));
    }

    /** The file itself, streamed. */
    @GET
    @Path("{name}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @AdminOnly
    public Response download(@PathParam("name") String name) {
        java.nio.file.Path file = existing(name);
        StreamingOutput body = out -> Files.copy(file, out);
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").build();
    }

    /**
     * Stores an uploaded backup under {@code name}, streamed to a private temporary file. The
     * clear header is read and checked before anything is written, so a file that is not a
     * backup (or asks for an unbounded key derivation) is refused at once; the file may be at most
     * {@code upload.max.bytes}. The rest is checked by verify and restore.
     */
    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @AdminOnly
    public Response upload(@PathParam("name") String name, @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long length, InputStream body)
            throws IOException {
        java.nio.file.Path target = backups.directory().resolve(checkedName(name));
        long limit = backups.uploadLimit();
        if (length != null && length > limit) {
            return tooLarge(limit);
        }
        if (Files.exists(target)) {
            return new ApiError("conflict", "a backup named " + name + " exists: delete it first or upload under another name")
                    .response(409);
        }
        BufferedInputStream in = new BufferedInputStream(body, HEADER_LOOKAHEAD);
        in.mark(HEADER_LOOKAHEAD);
        BackupHeader header = SegmentedReader.readHeader(in).header();
        in.reset();
        Files.createDirectories(backups.directory());
        java.nio.file.Path tmp = backups.directory().resolve("." + name + ".upload");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            long written = 0;
            try (var out = Files.newOutputStream(tmp)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0;) {
                    written += n;
                    if (written > limit) {
                        return tooLarge(limit);
                    }
                    out.write(buffer, 0, n);
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return Response.status(201).entity(BackupView.of(new BackupInfo(target, header, List.of(), -1, Files.size(target))))
                    .build();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Response tooLarge(long limit) {
        return new ApiError("too_large", "the upload is larger than upload.max.bytes (" + limit + " bytes) in "
                + "etc/org.portcullis.backup.cfg; nothing was stored").response(413);
    }

    @DELETE
    @Path("{name}")
    @AdminOnly
    public Response delete(@PathParam("name") String name) throws IOException {
        backups.delete(existing(name));
        return Response.noContent().build();
    }

    /** Starts reading every byte of the backup, changing nothing. */
    @POST
    @Path("{name}/verify")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response verify(@Context SecurityContext sc, @PathParam("name") String name, KeyBody body) {
        java.nio.file.Path file = existing(name);
        char[] passphrase = passphrase(body);
        return accepted(jobs.start("verify", name, Api.caller(sc).name(), progress -> backups.verify(file, passphrase, progress)));
    }

    /** Starts putting the backup back (see {@code backup:restore}). */
    @POST
    @Path("{name}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @AdminOnly
    public Response restore(@Context SecurityContext sc, @PathParam("name") String name, KeyBody body) {
        java.nio.file.Path file = existing(name);
        char[] passphrase = passphrase(body);
        String by = Api.caller(sc).name();
        return accepted(jobs.start("restore", name, by, progress -> backups.restore(file, passphrase, by, progress)));
    }

    private static Response accepted(BackupJobs.Job job) {
        return Response.accepted(JobView.of(job)).header("Location", Api.BASE + "/backups/jobs/" + job.id()).build();
    }

    private java.nio.file.Path existing(String name) {
        java.nio.file.Path file = backups.directory().resolve(checkedName(name));
        if (!Files.isRegularFile(file)) {
            throw new javax.ws.rs.WebApplicationException(new ApiError("not_found", "no backup " + name).response(404));
        }
        return file;
    }

    private static String checkedName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}\\.pcbk")) {
            throw new javax.ws.rs.WebApplicationException(new ApiError("invalid", "a backup name is letters, digits, '.', '_' and '-', "
                    + "ending in .pcbk: '" + name + "'").response(400));
        }
        return name;
    }

    private static char[] passphrase(KeyBody body) {
        if (body == null || body.passphrase() == null) {
            return null;
        }
        if (!Passphrases.acceptable(body.passphrase())) {
            throw new javax.ws.rs.WebApplicationException(new ApiError("invalid", "the passphrase is shorter than "
                    + Passphrases.MIN_LENGTH + " characters").response(400));
        }
        return body.passphrase().toCharArray();
    }
}
