package org.portcullis.quarantine.rest;

import java.util.List;
import java.util.Set;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Account;
import org.portcullis.auth.Role;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.quarantine.QuarantineQuery;
import org.portcullis.quarantine.command.Filters;
import org.portcullis.rest.Api;

/**
 * {@code /quarantine}: the held messages within the caller's scope (an admin sees all, a
 * domain-admin those with a recipient in its domains, a user those to its addresses); release and
 * delete with the right the message's category needs, for the recipients the caller covers.
 */
@Component(service = QuarantineResource.class, property = {Api.RESOURCE})
@Path("quarantine")
@Produces(MediaType.APPLICATION_JSON)
public class QuarantineResource {

    /** The recipients a release or delete is for; none or absent: every held one the caller covers. */
    public record RecipientsBody(List<String> recipients) {
    }

    /**
     * A held message as the API shows it: {@link HeldMessage} with its times as ISO-8601 strings
     * (the container's Jackson has no java.time module: an {@code Instant} broke the body mid-way).
     */
    public record HeldView(long id, String held, String queueId, String messageId, String sender, String clientAddress, String category,
            String reason, List<String> details, long size, String sha256, boolean hasContent, List<RecipientView> recipients) {
        static HeldView of(HeldMessage m) {
            return new HeldView(m.id(), m.held().toString(), m.queueId(), m.messageId(), m.sender(), m.clientAddress(), m.category(),
                    m.reason(), m.details(), m.size(), m.sha256(), m.hasContent(), m.recipients().stream().map(RecipientView::of).toList());
        }
    }

    public record RecipientView(String address, String state, String changed, String changedBy, String reply) {
        static RecipientView of(HeldMessage.Recipient r) {
            return new RecipientView(r.address(), r.state(), r.changed() == null ? null : r.changed().toString(), r.changedBy(), r.reply());
        }
    }

    @Reference
    private Quarantine quarantine;

    @GET
    public List<HeldView> find(@Context SecurityContext sc, @QueryParam("to") String to, @QueryParam("from") String from,
            @QueryParam("reason") String reason, @QueryParam("state") String state, @QueryParam("since") String since,
            @QueryParam("until") String until, @QueryParam("limit") Integer limit) {
        Account caller = Api.caller(sc);
        Set<String> domains = caller.role() == Role.DOMAIN_ADMIN ? caller.scopes() : null;
        Set<String> addresses = caller.role() == Role.USER ? caller.scopes() : null;
        return quarantine.search(new QuarantineQuery(to, from, Filters.category(reason), Filters.state(state),
                Filters.time("since", since), Filters.time("until", until), limit == null ? 50 : limit, domains, addresses))
                .stream().map(HeldView::of).toList();
    }

    @GET
    @Path("{id}")
    public HeldView get(@Context SecurityContext sc, @PathParam("id") String id) {
        long n = id(id);
        return quarantine.get(n, Api.caller(sc)).map(HeldView::of)
                .orElseThrow(() -> new QuarantineException(QuarantineException.Code.NOT_FOUND, "no quarantined message " + n));
    }

    @POST
    @Path("{id}/release")
    @Consumes(MediaType.APPLICATION_JSON)
    public Quarantine.Outcome release(@Context SecurityContext sc, @PathParam("id") String id, RecipientsBody body) {
        return quarantine.release(id(id), recipients(body), Api.caller(sc));
    }

    @DELETE
    @Path("{id}")
    public Quarantine.Outcome delete(@Context SecurityContext sc, @PathParam("id") String id, @QueryParam("to") List<String> to) {
        return quarantine.delete(id(id), to == null ? Set.of() : Set.copyOf(to), Api.caller(sc));
    }

    private static Set<String> recipients(RecipientsBody body) {
        return body == null || body.recipients() == null ? Set.of() : Set.copyOf(body.recipients());
    }

    private static long id(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new QuarantineException(QuarantineException.Code.INVALID, "not a quarantine id: '" + value + "'");
        }
    }
}
