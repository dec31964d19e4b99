package org.portcullis.rest;

import javax.ws.rs.core.SecurityContext;

import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Right;

/**
 * The Portcullis REST API, {@code /api/v1}. A bundle publishes a resource as a DS component
 * with the properties {@code osgi.jaxrs.resource=true} and {@link #SELECT}; every request has
 * then been authenticated, and {@link #caller} gives its account.
 */
public final class Api {

    /** Where the API lives. */
    public static final String BASE = "/api/v1";
    /** {@code osgi.jaxrs.application.select} value that attaches a resource or extension to the API. */
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
