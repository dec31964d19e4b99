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
import org.portcullis.auth.LoginFailedException;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;
import org.portcullis.auth.Token;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /auth}: log in for a token, log out, who am I, change a password, and the accounts
 * ({@code /auth/users}, which needs the right {@code accounts}).
 */
@Component(service = AuthResource.class, property = {"osgi.jaxrs.resource=true", Api.SELECT})
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

    public record PasswordChange(String name, String password) {
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
            Account a = accounts.authenticate(login.name(), password, request == null ? null : request.getRemoteAddr());
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

    /** Changes the caller's own password, or (with the right {@code accounts}) the named account's. */
    @POST
    @Path("password")
    public Response password(@Context SecurityContext sc, PasswordChange change) {
        Account caller = Api.caller(sc);
        if (change == null || change.password() == null) {
            throw new AuthException(AuthException.Code.INVALID, "a body {\"password\": ...} (and \"name\" for another account) is required");
        }
        String target = change.name() == null ? caller.name() : change.name();
        if (!target.equalsIgnoreCase(caller.name())) {
            Api.require(sc, Right.ACCOUNTS);
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
    public List<AccountView> users() {
        return accounts.list().stream().map(AccountView::of).toList();
    }

    @POST
    @Path("users")
    @RequiresRight(Right.ACCOUNTS)
    public Response create(NewAccount body) {
        if (body == null || body.name() == null || body.role() == null || body.password() == null) {
            throw new AuthException(AuthException.Code.INVALID, "name, role and password are required");
        }
        char[] password = body.password().toCharArray();
        try {
            Account a = accounts.create(body.name(), Role.parse(body.role()), body.scopes() == null ? Set.of() : Set.copyOf(body.scopes()),
                    password);
            return Response.status(201).entity(AccountView.of(a)).build();
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @GET
    @Path("users/{name}")
    @RequiresRight(Right.ACCOUNTS)
    public AccountView user(@PathParam("name") String name) {
        return accounts.find(name).map(AccountView::of)
                .orElseThrow(() -> new AuthException(AuthException.Code.NOT_FOUND, "no account '" + name + "'"));
    }

    @javax.ws.rs.PUT
    @Path("users/{name}")
    @RequiresRight(Right.ACCOUNTS)
    public AccountView update(@PathParam("name") String name, AccountChange change) {
        if (change == null || change.role() == null) {
            throw new AuthException(AuthException.Code.INVALID, "a body {\"role\": ..., \"scopes\": [...]} is required");
        }
        return AccountView.of(accounts.update(name, Role.parse(change.role()), change.scopes() == null ? Set.of() : Set.copyOf(change.scopes())));
    }

    @DELETE
    @Path("users/{name}")
    @RequiresRight(Right.ACCOUNTS)
    public Response remove(@PathParam("name") String name) {
        accounts.remove(name);
        return Response.noContent().build();
    }

    @POST
    @Path("users/{name}/rights/{right}")
    @RequiresRight(Right.ACCOUNTS)
    public AccountView grant(@PathParam("name") String name, @PathParam("right") String right) {
        accounts.grant(name, Right.parse(right));
        return user(name);
    }

    @DELETE
    @Path("users/{name}/rights/{right}")
    @RequiresRight(Right.ACCOUNTS)
    public AccountView revoke(@PathParam("name") String name, @PathParam("right") String right) {
        accounts.revoke(name, Right.parse(right));
        return user(name);
    }
}
