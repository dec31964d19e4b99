package org.portcullis.rest.internal;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.annotation.Priority;
import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.LoginFailedException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/**
 * Every request to the API is authenticated, except logging in, reading the OpenAPI
 * document, and links sent by mail ({@link Api#LINKS}, whose token is their credential): HTTP Basic (checked by the account store, with its lockout keyed also by the client
 * address) or {@code Authorization: Bearer <token>} from {@code POST /auth/login}. Anything
 * else is answered 401 with the error body and a {@code WWW-Authenticate} challenge — before the
 * request is even matched, so an anonymous caller learns nothing (not even 404 or 405). It fails
 * closed: while the account store is missing every request but the OpenAPI document gets 503,
 * and the application requires this filter, so the API never runs without it.
 */
@Component(service = ContainerRequestFilter.class, property = {Api.EXTENSION,
    AuthenticationFilter.MARK + "=true"})
@Priority(Priorities.AUTHENTICATION)
@PreMatching
public class AuthenticationFilter implements ContainerRequestFilter {

    /**
     * Service property that marks this filter; the API application selects it
     * ({@code osgi.jaxrs.extension.select}), so without this filter there is no API at all.
     */
    static final String MARK = "portcullis.authentication";

    /**
     * Optional on purpose: when the account store goes away (its database is unreachable) this
     * filter must stay and refuse everything, not disappear and leave the resources open.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Accounts accounts;

    @Context
    private HttpServletRequest request;

    @Override
    public void filter(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (isDocument(ctx.getMethod(), path)) {
            return;
        }
        Accounts store = accounts;
        if (store == null) {
            ctx.abortWith(new ApiError("unavailable", "the account store is not available (is the database reachable? see storage:status); "
                    + "nothing can be done until it is back").response(503));
            return;
        }
        if (isPublic(ctx.getMethod(), path)) {
            return;
        }
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        Optional<Account> account;
        try {
            account = authenticate(store, header);
        } catch (LoginFailedException e) {
            ctx.abortWith(ApiError.loginFailed(e).header(HttpHeaders.WWW_AUTHENTICATE, challenge(header)).build());
            return;
        }
        if (account.isEmpty()) {
            ctx.abortWith(Response.fromResponse(new ApiError("unauthorized", "authentication required: HTTP Basic, or a Bearer token from "
                    + Api.BASE + "/auth/login").response(401)).header(HttpHeaders.WWW_AUTHENTICATE, challenge(header)).build());
            return;
        }
        Principal principal = new Api.AccountPrincipal(account.get());
        boolean secure = ctx.getSecurityContext() != null && ctx.getSecurityContext().isSecure();
        ctx.setSecurityContext(new SecurityContext() {
            public Principal getUserPrincipal() {
                return principal;
            }

            public boolean isUserInRole(String role) {
                return account.get().role().id().equals(role);
            }

            public boolean isSecure() {
                return secure;
            }

            public String getAuthenticationScheme() {
                return header.regionMatches(true, 0, "Bearer ", 0, 7) ? "Bearer" : SecurityContext.BASIC_AUTH;
            }
        });
    }

    /**
     * A refused token is answered with a Bearer challenge (RFC 6750): a Basic one would make a
     * browser open its own login dialog over the web console when a session ends.
     */
    static String challenge(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? "Bearer realm=\"Portcullis\", error=\"invalid_token\"" : "Basic realm=\"Portcullis\"";
    }

    static boolean isPublic(String method, String path) {
        return ("POST".equals(method) && relative(path).equals("auth/login")) || isDocument(method, path) || isLink(method, path);
    }

    /**
     * A link sent by mail ({@code GET} or {@code POST} under {@code links/}): its token is its
     * credential, checked by the resource that serves it; the caller has no account.
     */
    static boolean isLink(String method, String path) {
        String p = relative(path);
        // no dot segments: whatever the container normalises, a link's path never climbs out of links/
        return ("GET".equals(method) || "POST".equals(method)) && p.startsWith(Api.LINKS) && !p.contains("..") && !p.contains("%");
    }

    /** The OpenAPI document: public, and served even while the account store is down. */
    static boolean isDocument(String method, String path) {
        return "GET".equals(method) && relative(path).equals("openapi.json");
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** Empty when the request carries no credentials (or a token that is not valid); throws when a Basic login fails. */
    private Optional<Account> authenticate(Accounts accounts, String header) throws LoginFailedException {
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return accounts.resolveToken(header.substring(7).strip());
        }
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        Arrays.fill(decoded, (byte) 0);
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        char[] password = pair.substring(colon + 1).toCharArray();
        try {
            return Optional.of(accounts.authenticate(pair.substring(0, colon), password, clientAddress()));
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private String clientAddress() {
        try {
            return request == null ? null : request.getRemoteAddr();
        } catch (RuntimeException outsideARequest) {
            return null;
        }
    }
}
