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
import org.portcullis.auth.Account;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.LoginFailedException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/**
 * Every request to the API is authenticated, except logging in and reading the OpenAPI
 * document: HTTP Basic (checked by the account store, with its lockout keyed also by the client
 * address) or {@code Authorization: Bearer <token>} from {@code POST /auth/login}. Anything
 * else is answered 401 with the error body and a {@code WWW-Authenticate} challenge — before the
 * request is even matched, so an anonymous caller learns nothing (not even 404 or 405).
 */
@Component(service = ContainerRequestFilter.class, property = {"osgi.jaxrs.extension=true", Api.SELECT})
@Priority(Priorities.AUTHENTICATION)
@PreMatching
public class AuthenticationFilter implements ContainerRequestFilter {

    @Reference
    private Accounts accounts;

    @Context
    private HttpServletRequest request;

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (isPublic(ctx.getMethod(), ctx.getUriInfo().getPath())) {
            return;
        }
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        Optional<Account> account;
        try {
            account = authenticate(header);
        } catch (LoginFailedException e) {
            ctx.abortWith(ApiError.loginFailed(e).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"Portcullis\"").build());
            return;
        }
        if (account.isEmpty()) {
            ctx.abortWith(Response.fromResponse(new ApiError("unauthorized", "authentication required: HTTP Basic, or a Bearer token from "
                    + Api.BASE + "/auth/login").response(401)).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"Portcullis\"").build());
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

    static boolean isPublic(String method, String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return ("POST".equals(method) && p.equals("auth/login")) || ("GET".equals(method) && p.equals("openapi.json"));
    }

    /** Empty when the request carries no credentials (or a token that is not valid); throws when a Basic login fails. */
    private Optional<Account> authenticate(String header) throws LoginFailedException {
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
