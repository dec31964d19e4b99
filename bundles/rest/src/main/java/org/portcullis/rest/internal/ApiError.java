package org.portcullis.rest.internal;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

/**
 * The one error body of the API: {@code { "error": code, "message": text }}.
 *
 * @param error a stable code (for programs)
 * @param message one line for people; never a stack trace, a password or a token
 */
public record ApiError(String error, String message) {

    Response response(int status) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this).build();
    }
}
