package org.portcullis.rest.internal;

import java.lang.reflect.Method;

import javax.annotation.Priority;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.ResourceInfo;
import javax.ws.rs.core.Context;

import org.osgi.service.component.annotations.Component;
import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Role;
import org.portcullis.rest.AdminOnly;
import org.portcullis.rest.Api;
import org.portcullis.rest.RequiresRight;

/**
 * Enforces {@link RequiresRight} and {@link AdminOnly} after authentication, before the resource
 * method runs. The application requires it ({@link #MARK}): without it no path answers.
 */
@Component(service = ContainerRequestFilter.class, property = {Api.EXTENSION, AuthorizationFilter.MARK + "=true"})
@Priority(Priorities.AUTHORIZATION)
public class AuthorizationFilter implements ContainerRequestFilter {

    /** Service property that marks this filter; the API application selects it. */
    static final String MARK = "portcullis.authorization";

    @Context
    private ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext ctx) {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return;
        }
        RequiresRight right = requiresRight(method);
        boolean adminOnly = adminOnly(method);
        if (right == null && !adminOnly) {
            return;
        }
        Account caller = Api.caller(ctx.getSecurityContext());
        if (adminOnly && caller.role() != Role.ADMIN) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "only an admin may do this");
        }
        if (right != null && !caller.has(right.value())) {
            throw new AuthException(AuthException.Code.FORBIDDEN, "this needs the right '" + right.value().id() + "'");
        }
    }

    static RequiresRight requiresRight(Method m) {
        RequiresRight r = m.getAnnotation(RequiresRight.class);
        return r != null ? r : m.getDeclaringClass().getAnnotation(RequiresRight.class);
    }

    static boolean adminOnly(Method m) {
        return m.isAnnotationPresent(AdminOnly.class) || m.getDeclaringClass().isAnnotationPresent(AdminOnly.class);
    }
}
