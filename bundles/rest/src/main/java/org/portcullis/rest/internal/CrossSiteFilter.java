package org.portcullis.rest.internal;

import java.util.Locale;
import java.util.Set;

import javax.annotation.Priority;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.HttpHeaders;

import org.osgi.service.component.annotations.Component;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/**
 * Refuses state-changing requests that a web page on another site could make a browser send on
 * its own (cross-site request forgery): a {@code POST}, {@code PUT}, {@code PATCH} or
 * {@code DELETE} whose {@code Content-Type} is one an HTML form or a plain {@code fetch} may use
 * without asking ({@code application/x-www-form-urlencoded}, {@code multipart/form-data},
 * {@code text/plain}), and a {@code POST} with no {@code Content-Type} at all. Any other type
 * makes a browser ask first (a CORS preflight), which this API never allows. So a bodiless
 * {@code POST} sends {@code Content-Type: application/json}. Runs after authentication, so an
 * anonymous caller still gets 401 first.
 */
@Component(service = ContainerRequestFilter.class, property = {Api.EXTENSION})
@Priority(Priorities.AUTHENTICATION + 10)
@PreMatching
public class CrossSiteFilter implements ContainerRequestFilter {

    static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");
    static final Set<String> FORM_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data", "text/plain");

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (AuthenticationFilter.isLink(ctx.getMethod(), ctx.getUriInfo().getPath())) {
            return; // a link's POST carries no ambient credential (its token is in the path): a forged one has nothing to borrow
        }
        String refusal = refusal(ctx.getMethod(), ctx.getHeaderString(HttpHeaders.CONTENT_TYPE));
        if (refusal != null) {
            ctx.abortWith(new ApiError("unsupported_media_type", refusal).response(415));
        }
    }

    /** Why a request of {@code method} with {@code contentType} is refused, or {@code null}. */
    static String refusal(String method, String contentType) {
        if (!UNSAFE.contains(method)) {
            return null;
        }
        if (contentType == null || contentType.isBlank()) {
            return "POST".equals(method) ? "a POST needs a Content-Type (application/json when there is no body): "
                    + "a request without one is what any web page can make a browser send" : null;
        }
        String base = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return FORM_TYPES.contains(base) ? "Content-Type " + base + " is refused on " + method + ": any web page can make a browser "
                + "send it; use the type the operation documents (application/json for JSON bodies)" : null;
    }
}
