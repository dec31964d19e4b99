package org.portcullis.lists.rest;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.lists.ListException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/** A list refusal as the API's error body, with the status its kind calls for. */
@Component(service = ExceptionMapper.class, property = {Api.EXTENSION})
public class ListErrorMapper implements ExceptionMapper<ListException> {

    @Override
    public Response toResponse(ListException e) {
        int status = switch (e.kind()) {
            case INVALID -> 400;
            case DUPLICATE -> 409;
            case NOT_FOUND -> 404;
            case FORBIDDEN -> 403;
            case UNAVAILABLE -> 503;
        };
        return new ApiError(e.kind().name().toLowerCase(java.util.Locale.ROOT), e.getMessage()).response(status);
    }
}
