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

    /**
     * 401 for a failed login: the same message whatever the reason, and {@code Retry-After} while
     * held back; 429 when the login was not even checked because too many were at once.
     */
    public static Response.ResponseBuilder loginFailed(org.portcullis.auth.LoginFailedException e) {
        boolean busy = e instanceof org.portcullis.auth.LoginBusyException;
        Response.ResponseBuilder r = Response.fromResponse(new ApiError(busy ? "busy" : "unauthorized", e.getMessage())
                .response(busy ? 429 : 401));
        if (!e.retryAfter().isZero()) {
            r.header(javax.ws.rs.core.HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
        }
        return r;
    }
}
