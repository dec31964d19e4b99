package org.portcullis.tracking.rest;

import java.util.List;
import java.util.Set;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Account;
import org.portcullis.auth.Role;
import org.portcullis.policy.MessageRecord;
import org.portcullis.rest.Api;
import org.portcullis.tracking.Query;
import org.portcullis.tracking.Tracking;
import org.portcullis.tracking.internal.Filters;

/**
 * {@code /messages}: the tracked mail log, for every account within its scope: an admin sees
 * everything, a domain-admin the messages from or to its domains (and their subdomains), a user
 * those from or to its own addresses.
 */
@Component(service = MessagesResource.class, property = {Api.RESOURCE})
@Path("messages")
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    /** A record as the API shows it; {@code time} is an ISO-8601 instant. */
    public record MessageView(String time, String queueId, String stage, String clientName, String clientAddress, String sender,
            List<String> recipients, long size, String messageId, String list, List<String> scanners, String score, String error,
            String verdict, String reply, long millis) {
        static MessageView of(MessageRecord r) {
            return new MessageView(r.time().toString(), r.queueId(), r.stage(), r.clientName(), r.clientAddress(), r.sender(),
                    r.recipients(), r.size(), r.messageId(), r.list(), r.scanners(), r.score(), r.error(), r.verdict().id(), r.reply(),
                    r.millis());
        }
    }

    @Reference
    private Tracking tracking;

    @GET
    public List<MessageView> find(@Context SecurityContext sc, @QueryParam("queueId") String queueId,
            @QueryParam("messageId") String messageId, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("verdict") String verdict, @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("limit") Integer limit) {
        Account caller = Api.caller(sc);
        Set<String> domains = caller.role() == Role.DOMAIN_ADMIN ? caller.scopes() : null;
        Set<String> addresses = caller.role() == Role.USER ? caller.scopes() : null;
        return tracking.search(new Query(queueId, messageId, from, to, Filters.verdict(verdict), Filters.time("since", since),
                Filters.time("until", until), limit == null ? 50 : limit, domains, addresses)).stream().map(MessageView::of).toList();
    }
}
