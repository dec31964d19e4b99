package org.portcullis.acme.rest;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.acme.AcmeException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/** A refused or failed certificate operation: 400 bad input, 404 nothing there, 403, 503 the CA or database, 409 another operation runs. */
@Component(service = javax.ws.rs.ext.ExceptionMapper.class, property = {Api.EXTENSION})
public class AcmeErrorMapper implements ExceptionMapper<AcmeException> {

    @Override
    public Response toResponse(AcmeException e) {
        return switch (e.code()) {
            case INVALID -> new ApiError("invalid", e.getMessage()).response(400);
            case NOT_FOUND -> new ApiError("not_found", e.getMessage()).response(404);
            case FORBIDDEN -> new ApiError("forbidden", e.getMessage()).response(403);
            case UNAVAILABLE -> new ApiError("unavailable", e.getMessage()).response(503);
            case BUSY -> new ApiError("busy", e.getMessage()).response(409);
        };
    }
}
