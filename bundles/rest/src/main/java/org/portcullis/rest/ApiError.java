package org.portcullis.rest;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

/**
 * The one error body of the API: {@code { "error": code, "message": text }}.
 *
 * @param error a stable code (for programs)
 * @param message one line for people; never a stack trace, a password or a token
 */
public record ApiError(String error, String message) {

    /** This error as a response with {@code status}. */
    public Response response(int status) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this).build();
    }

    /** 401 for a failed login: the same message whatever the reason, and {@code Retry-After} while locked out. */
    public static Response.ResponseBuilder loginFailed(org.portcullis.auth.LoginFailedException e) {
        Response.ResponseBuilder r = Response.fromResponse(new ApiError("unauthorized", e.getMessage()).response(401));
        if (!e.retryAfter().isZero()) {
            r.header(javax.ws.rs.core.HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
        }
        return r;
    }
}
