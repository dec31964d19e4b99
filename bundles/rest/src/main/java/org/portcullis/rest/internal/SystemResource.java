package org.portcullis.rest.internal;

import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.core.MaintenanceState;
import org.portcullis.core.ProductInfo;
import org.portcullis.rest.AdminOnly;
import org.portcullis.rest.Api;

/**
 * {@code /system}: the product version (any account) and maintenance mode (read: any account;
 * switch: admins). Every request here has been authenticated by {@link AuthenticationFilter}.
 */
@Component(service = SystemResource.class, property = {Api.RESOURCE})
@Path("system")
@Produces(MediaType.APPLICATION_JSON)
public class SystemResource {

    /** {@code PUT /system/maintenance} body. */
    public record MaintenanceChange(boolean active, String reason) {
    }

    public record Version(String product, String version) {
    }

    /** Maintenance mode as the API shows it; {@code since} is an ISO-8601 instant, absent when off. */
    public record Maintenance(boolean active, String reason, String since, String by) {
        static Maintenance of(MaintenanceState s) {
            return new Maintenance(s.active(), s.reason(), s.since() == null ? null : s.since().toString(), s.by());
        }
    }

    @Reference
    private ProductInfo product;

    @Reference
    private MaintenanceMode maintenance;

    @GET
    @Path("version")
    public Version version() {
        return new Version("Portcullis", product.version());
    }

    @GET
    @Path("maintenance")
    public Maintenance maintenance() {
        return Maintenance.of(maintenance.state());
    }

    @PUT
    @Path("maintenance")
    @javax.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    @AdminOnly
    public Maintenance switchMaintenance(@Context SecurityContext sc, MaintenanceChange change) throws java.io.IOException {
        Account caller = Api.caller(sc);
        if (change == null) {
            throw new AuthException(AuthException.Code.INVALID, "a body {\"active\": true|false, \"reason\": \"...\"} is required");
        }
        return Maintenance.of(change.active() ? maintenance.enable(change.reason() == null ? "" : change.reason(), caller.name())
                : maintenance.disable());
    }
}
