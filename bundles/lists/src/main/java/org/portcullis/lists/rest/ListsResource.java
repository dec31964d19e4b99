package org.portcullis.lists.rest;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

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
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Account;
import org.portcullis.auth.Right;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Lists;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;
import org.portcullis.lists.command.ScopeRules;
import org.portcullis.rest.AdminOnly;
import org.portcullis.rest.Api;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /lists}: the same operations as the {@code lists:*} commands, for accounts with the right
 * {@code lists-manage}, each limited to the scopes it covers (a domain-admin its domains and
 * their users, a user its own address); import and export of everything are for admins.
 */
@Component(service = ListsResource.class, property = {Api.RESOURCE})
@Path("lists")
@Produces(MediaType.APPLICATION_JSON)
@RequiresRight(Right.LISTS_MANAGE)
public class ListsResource {

    public record NewEntry(String list, String scope, String pattern, String comment, String expires) {
    }

    /** An entry as the API shows it; times are ISO-8601 instants. */
    public record EntryView(long id, String list, String scope, String pattern, String comment, String creator, String created,
            String expires) {
        static EntryView of(ListEntry e) {
            return new EntryView(e.id(), e.list().id(), e.scope().toString(), e.pattern().value(), e.comment(), e.creator(),
                    e.created().toString(), e.expires() == null ? null : e.expires().toString());
        }
    }

    /** {@code reasons.get(i)} says why {@code overridden.get(i)} did not decide. */
    public record ExplanationView(EntryView decisive, List<EntryView> overridden, List<String> reasons) {
    }

    public record ImportView(int added, List<String> duplicates, List<String> errors) {
    }

    @Reference
    private Lists lists;

    @GET
    public List<EntryView> find(@Context SecurityContext sc, @QueryParam("list") String list, @QueryParam("scope") String scope,
            @QueryParam("pattern") String pattern) {
        Account caller = Api.caller(sc);
        Scope s = scope == null ? null : Scope.parse(scope);
        if (s != null) {
            require(caller, s);
        }
        return lists.find(list == null ? null : ListType.parse(list), s, pattern).stream()
                .filter(e -> ScopeRules.covers(caller, e.scope())).map(EntryView::of).toList();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(@Context SecurityContext sc, NewEntry body) {
        Account caller = Api.caller(sc);
        if (body == null || body.list() == null || body.pattern() == null) {
            throw new ListException("a body {\"list\": \"allow|block\", \"pattern\": ..., \"scope\": ...} is required");
        }
        Scope scope = body.scope() == null ? Scope.GLOBAL : Scope.parse(body.scope());
        require(caller, scope);
        ListEntry e = lists.add(ListType.parse(body.list()), scope, Pattern.parse(body.pattern()), body.comment() == null ? "" : body.comment(),
                caller.name(), expires(body.expires()));
        return Response.status(201).entity(EntryView.of(e)).build();
    }

    @GET
    @Path("{id}")
    public EntryView get(@Context SecurityContext sc, @PathParam("id") String id) {
        ListEntry e = entry(id);
        require(Api.caller(sc), e.scope());
        return EntryView.of(e);
    }

    @DELETE
    @Path("{id}")
    public Response remove(@Context SecurityContext sc, @PathParam("id") String id) {
        ListEntry e = entry(id);
        require(Api.caller(sc), e.scope());
        lists.remove(e.id());
        return Response.noContent().build();
    }

    @GET
    @Path("check")
    public ExplanationView check(@Context SecurityContext sc, @QueryParam("sender") String sender, @QueryParam("ip") String ip,
            @QueryParam("rcpt") String rcpt, @QueryParam("from") String from) {
        Account caller = Api.caller(sc);
        if (rcpt != null && !ScopeRules.covers(caller, Scope.user(rcpt))) {
            throw new ListException(ListException.Kind.FORBIDDEN, "recipient '" + rcpt + "' is outside your scope");
        }
        if (rcpt == null && !ScopeRules.covers(caller, Scope.GLOBAL)) {
            throw new ListException("rcpt is required: say for which of your addresses");
        }
        Lists.Explanation x = lists.check(sender == null ? "" : sender, ip, rcpt, from);
        return new ExplanationView(x.decisive() == null ? null : EntryView.of(x.decisive()),
                x.overridden().stream().map(EntryView::of).toList(), x.reasons());
    }

    @POST
    @Path("import")
    @Consumes("text/csv")
    @AdminOnly
    public Response importCsv(@Context SecurityContext sc, @QueryParam("name") String name, String csv) throws IOException {
        Lists.ImportResult r = lists.importCsv(new StringReader(csv == null ? "" : csv), name == null ? "" : name, Api.caller(sc).name());
        if (!r.errors().isEmpty()) {
            throw new ListException(r.errors().size() + " bad line(s), nothing imported: " + String.join("; ", r.errors()));
        }
        return Response.ok(new ImportView(r.added(), r.duplicates(), r.errors())).build();
    }

    @GET
    @Path("export")
    @Produces("text/csv")
    @AdminOnly
    public String exportCsv(@QueryParam("list") String list, @QueryParam("scope") String scope) throws IOException {
        StringWriter out = new StringWriter();
        lists.exportCsv(lists.find(list == null ? null : ListType.parse(list), scope == null ? null : Scope.parse(scope), null), out);
        return out.toString();
    }

    private ListEntry entry(String id) {
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new ListException("id '" + id + "': not an entry number");
        }
        return lists.get(Long.parseLong(id)).orElseThrow(() -> new ListException(ListException.Kind.NOT_FOUND, "no list entry #" + id));
    }

    private static void require(Account caller, Scope scope) {
        if (!ScopeRules.covers(caller, scope)) {
            throw new ListException(ListException.Kind.FORBIDDEN, "scope '" + scope + "' is outside your " + caller.role().id() + " scope "
                    + caller.scopes());
        }
    }

    private static Instant expires(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new ListException("expires '" + text + "': use an ISO-8601 instant such as 2027-01-31T00:00:00Z");
        }
    }
}
