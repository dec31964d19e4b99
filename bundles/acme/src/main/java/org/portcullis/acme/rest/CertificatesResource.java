package org.portcullis.acme.rest;

import java.time.Instant;
import java.util.List;

import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.acme.AcmeException;
import org.portcullis.acme.CertificateStatus;
import org.portcullis.acme.Certificates;
import org.portcullis.auth.Right;
import org.portcullis.rest.AdminOnly;
import org.portcullis.rest.Api;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /certificates} (right {@code certificates}): what {@code acme:status} shows, and the
 * account, an order, a renewal and a revocation, each answering the lines the command prints.
 * Times are ISO-8601 instants. The certificate is the whole appliance's, outside any domain's
 * scope: changing it is an admin's (a domain-admin holding the right reads the status only).
 */
@Component(service = CertificatesResource.class, property = {Api.RESOURCE})
@Path("certificates")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRight(Right.CERTIFICATES)
public class CertificatesResource {

    public record StatusView(String directory, String account, String contact, List<NameView> names, IssuedView certificate, String renewAt,
            String nextTry, int failures, String lastError, List<String> installed) {
    }

    public record NameView(String name, String state, String detail, String updated) {
    }

    public record IssuedView(List<String> names, String serial, String notBefore, String notAfter, String issuer, String issued) {
    }

    /** {@code agreeTos} must be true: the admin agrees to the CA's terms of service. */
    public record AccountRequest(String contact, Boolean agreeTos) {
    }

    public record OrderRequest(List<String> names) {
    }

    public record RenewRequest(Boolean force) {
    }

    public record Outcome(List<String> lines) {
    }

    @Reference
    private Certificates certificates;

    @GET
    public StatusView status() {
        CertificateStatus s = certificates.status();
        CertificateStatus.Issued c = s.certificate();
        return new StatusView(s.directory(), s.account(), s.contact(), s.names().stream().map(n -> new NameView(n.name(), n.state(), n.detail(),
                text(n.updated()))).toList(), c == null ? null : new IssuedView(c.names(), c.serial(), text(c.notBefore()), text(c.notAfter()),
                        c.issuer(), text(c.issued())), text(s.renewAt()), text(s.nextTry()), s.failures(), s.lastError(), s.installed());
    }

    @POST
    @Path("account")
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    public Outcome account(AccountRequest body, @Context SecurityContext sc) {
        if (body == null) {
            throw new AcmeException(AcmeException.Code.INVALID, "the body must be {\"contact\": ADDRESS, \"agreeTos\": true}");
        }
        return new Outcome(List.of(certificates.account(body.contact(), Boolean.TRUE.equals(body.agreeTos()), Api.caller(sc).name())));
    }

    @POST
    @Path("order")
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    public Outcome order(OrderRequest body, @Context SecurityContext sc) {
        if (body == null || body.names() == null) {
            throw new AcmeException(AcmeException.Code.INVALID, "the body must be {\"names\": [NAME, …]}");
        }
        return new Outcome(certificates.order(body.names(), Api.caller(sc).name()));
    }

    @POST
    @Path("renew")
    @AdminOnly
    @Consumes(MediaType.APPLICATION_JSON)
    public Outcome renew(RenewRequest body, @Context SecurityContext sc) {
        return new Outcome(certificates.renew(body != null && Boolean.TRUE.equals(body.force()), Api.caller(sc).name()));
    }

    @POST
    @Path("revoke")
    @AdminOnly
    public Outcome revoke(@Context SecurityContext sc) {
        return new Outcome(List.of(certificates.revoke(Api.caller(sc).name())));
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
