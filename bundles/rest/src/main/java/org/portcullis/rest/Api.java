package org.portcullis.rest;

import javax.ws.rs.core.SecurityContext;

import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Right;

/**
 * The Portcullis REST API, {@code /api/v1}. A bundle publishes a resource as a DS component
 * with the property {@link #RESOURCE} (an exception mapper or filter with {@link #EXTENSION});
 * the API hands it to the JAX-RS whiteboard. Every request has then been authenticated, and
 * {@link #caller} gives its account.
 */
public final class Api {

    /** Where the API lives. */
    public static final String BASE = "/api/v1";
    /**
     * Paths under this prefix ({@code GET} and {@code POST}) are reached without an account: they
     * are links sent by mail, whose token in the path is the credential. A resource there must
     * check its token on every call and do no more than that token allows (since 1.2).
     */
    public static final String LINKS = "links/";
    /** The service property that makes a service part of the API; its value is {@code resource} or {@code extension}. */
    public static final String PART = "portcullis.api";
    /** Service property of a resource of the API: {@code @Component(property = Api.RESOURCE)}. */
    public static final String RESOURCE = PART + "=resource";
    /** Service property of an extension of the API (an exception mapper, a filter, a body reader or writer). */
    public static final String EXTENSION = PART + "=extension";
    /**
     * The {@code osgi.jaxrs.application.select} property the API puts on the whiteboard's copy of
     * each part. Parts do not set it themselves: registered straight with the whiteboard, a
     * resource can be lost while the whiteboard starts (see {@link #RESOURCE}).
     */
    public static final String SELECT = "osgi.jaxrs.application.select=(osgi.jaxrs.name=portcullis)";

    private Api() {
    }

    /** The authenticated account of the request. */
    public static Account caller(SecurityContext context) {
        if (context == null || !(context.getUserPrincipal() instanceof AccountPrincipal p)) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "not authenticated");
        }
        return p.account();
    }

    /** @throws AuthException (forbidden, 403) unless the caller holds {@code right} */
    public static Account require(SecurityContext context, Right right) {
        Account a = caller(context);
        if (!a.has(right)) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "this needs the right '" + right.id() + "'");
        }
        return a;
    }

    /** The principal the API puts in the security context. */
    public record AccountPrincipal(Account account) implements java.security.Principal {
        @Override
        public String getName() {
            return account.name();
        }
    }
}
