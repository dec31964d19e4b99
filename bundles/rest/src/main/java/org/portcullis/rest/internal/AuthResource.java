package org.portcullis.rest.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Delegation;
import org.portcullis.auth.LoginFailedException;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;
import org.portcullis.auth.Token;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /auth}: log in for a token, log out, who am I, change a password, and the accounts
 * ({@code /auth/users}, which needs the right {@code accounts}). What a non-admin holding
 * {@code accounts} may do is {@link Delegation}'s rule: only accounts smaller than itself, and
 * an account it does not manage is refused the same way whether it exists or not.
 */
@Component(service = AuthResource.class, property = {Api.RESOURCE})
@Path("auth")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AuthResource {

    static final Duration TOKEN_LIFETIME = Duration.ofHours(8);

    public record Login(String name, String password) {
    }

    /** @param expires ISO-8601 instant */
    public record LoginResult(String token, String expires, AccountView account) {
    }

    /**
     * @param name another account (needs {@code accounts}); absent for one's own
     * @param current one's own current password (required for one's own)
     * @param password the new password
     */
    public record PasswordChange(String name, String current, String password) {
    }

    public record NewAccount(String name, String role, List<String> scopes, String password) {
    }

    public record AccountChange(String role, List<String> scopes) {
    }

    /** An account as the API shows it: never a hash; {@code created} is an ISO-8601 instant. */
    public record AccountView(String name, String role, Set<String> scopes, List<String> rights, String created) {
        static AccountView of(Account a) {
            return new AccountView(a.name(), a.role().id(), a.scopes(),
                    Arrays.stream(Right.values()).filter(a::has).map(Right::id).toList(), a.created().toString());
        }
    }

    @Reference
    private Accounts accounts;

    @Context
    private HttpServletRequest request;

    @POST
    @Path("login")
    public Response login(Login login) {
        if (login == null || login.name() == null || login.password() == null) {
            throw new AuthException(AuthException.Code.INVALID, "a body {\"name\": ..., \"password\": ...} is required");
        }
        char[] password = login.password().toCharArray();
        try {
            Account a = accounts.authenticate(login.name(), password, clientAddress());
            Token token = accounts.issueToken(a.name(), TOKEN_LIFETIME);
            return Response.ok(new LoginResult(token.value(), token.expires().toString(), AccountView.of(a))).build();
        } catch (LoginFailedException e) {
            return ApiError.loginFailed(e).build();
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @POST
    @Path("logout")
    public Response logout(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            accounts.revokeToken(authorization.substring(7).strip());
        }
        return Response.noContent().build();
    }

    @GET
    @Path("me")
    public AccountView me(@Context SecurityContext sc) {
        return AccountView.of(Api.caller(sc));
    }

    /**
     * Changes the caller's own password (the current one is asked for, and checked like a login),
     * or with the right {@code accounts} the password of an account the caller manages. Either
     * way every session of that account ends, the caller's own included.
     */
    @POST
    @Path("password")
    public Response password(@Context SecurityContext sc, PasswordChange change) {
        Account caller = Api.caller(sc);
        if (change == null || change.password() == null) {
            throw new AuthException(AuthException.Code.INVALID, "a body {\"current\": ..., \"password\": ...} "
                    + "(or {\"name\": ..., \"password\": ...} for another account) is required");
        }
        String target = change.name() == null ? caller.name() : change.name();
        if (target.equalsIgnoreCase(caller.name())) {
            if (change.current() == null) {
                throw new AuthException(AuthException.Code.INVALID, "changing your own password needs your current password in \"current\"");
            }
            char[] current = change.current().toCharArray();
            try {
                accounts.authenticate(caller.name(), current, clientAddress());
            } catch (LoginFailedException e) {
                Response.ResponseBuilder refused = Response.fromResponse(new ApiError("forbidden",
                        "the current password is wrong, or there were too many failed attempts; nothing was changed").response(403));
                if (!e.retryAfter().isZero()) {
                    refused.header(HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
                }
                return refused.build();
            } finally {
                Arrays.fill(current, '\0');
            }
        } else {
            Api.require(sc, Right.ACCOUNTS);
            managed(caller, target);
        }
        char[] password = change.password().toCharArray();
        try {
            accounts.changePassword(target, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        return Response.noContent().build();
    }

    @GET
    @Path("users")
    @RequiresRight(Right.ACCOUNTS)
    public List<AccountView> users(@Context SecurityContext sc) {
        Account caller = Api.caller(sc);
        return accounts.list().stream().filter(a -> Delegation.manages(caller, a)).map(AccountView::of).toList();
    }

    @POST
    @Path("users")
    @RequiresRight(Right.ACCOUNTS)
    public Response create(@Context SecurityContext sc, NewAccount body) {
        if (body == null || body.name() == null || body.role() == null || body.password() == null) {
            throw new AuthException(AuthException.Code.INVALID, "name, role and password are required");
        }
        Role role = Role.parse(body.role());
        Set<String> scopes = body.scopes() == null ? Set.of() : Set.copyOf(body.scopes());
        Delegation.requireAssign(Api.caller(sc), role, scopes);
        char[] password = body.password().toCharArray();
        try {
            Account a = accounts.create(body.name(), role, scopes, password);
            return Response.status(201).entity(AccountView.of(a)).build();
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @GET
    @Path("users/{name}")
    @RequiresRight(Right.ACCOUNTS)
    public AccountView user(@Context SecurityContext sc, @PathParam("name") String name) {
        return AccountView.of(managed(Api.caller(sc), name));
    }

    @javax.ws.rs.PUT
    @Path("users/{name}")
    @RequiresRight(Right.ACCOUNTS)
    public AccountView update(@Context SecurityContext sc, @PathParam("name") String name, AccountChange change) {
        if (change == null || change.role() == null) {
            throw new AuthException(AuthException.Code.INVALID, "a body {\"role\": ..., \"scopes\": [...]} is required");
        }
        Account caller = Api.caller(sc);
        managed(caller, name);
        Role role = Role.parse(change.role());
        Set<String> scopes = change.scopes() == null ? Set.of() : Set.copyOf(change.scopes());
        Delegation.requireAssign(caller, role, scopes);
        return AccountView.of(accounts.update(name, role, scopes));
    }

    @DELETE
    @Path("users/{name}")
    @RequiresRight(Right.ACCOUNTS)
    public Response remove(@Context SecurityContext sc, @PathParam("name") String name) {
        managed(Api.caller(sc), name);
        accounts.remove(name);
        return Response.noContent().build();
    }

    @POST
    @Path("users/{name}/rights/{right}")
    @RequiresRight(Right.ACCOUNTS)
    public Response grant(@Context SecurityContext sc, @PathParam("name") String name, @PathParam("right") String right) {
        accounts.grant(name, grantable(sc, name, right));
        return rightsChanged(sc, name);
    }

    @DELETE
    @Path("users/{name}/rights/{right}")
    @RequiresRight(Right.ACCOUNTS)
    public Response revoke(@Context SecurityContext sc, @PathParam("name") String name, @PathParam("right") String right) {
        accounts.revoke(name, grantable(sc, name, right));
        return rightsChanged(sc, name);
    }

    /** The right, once the caller may grant or revoke it on {@code subject} ({@link Delegation#requireGrant}). */
    private Right grantable(SecurityContext sc, String subject, String right) {
        Right r = Right.parse(right);
        Account caller = Api.caller(sc);
        Delegation.requireGrant(caller, subject, subject.startsWith("role:") ? null : managed(caller, subject), r);
        return r;
    }

    /** The account as it is now (200), or 204 for a whole role. */
    private Response rightsChanged(SecurityContext sc, String subject) {
        return subject.startsWith("role:") ? Response.noContent().build() : Response.ok(user(sc, subject)).build();
    }

    private Account managed(Account caller, String name) {
        return Delegation.managed(caller, name, accounts.find(name));
    }

    private String clientAddress() {
        return request == null ? null : request.getRemoteAddr();
    }
}
