package org.portcullis.tracking.rest;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.portcullis.tracking.TrackingException;

/** A malformed filter is a 400 naming it; a database that does not answer, a 503. */
@Component(service = ExceptionMapper.class, property = {Api.EXTENSION})
public class TrackingErrorMapper implements ExceptionMapper<TrackingException> {

    @Override
    public Response toResponse(TrackingException e) {
        return new ApiError(e.invalid() ? "invalid" : "unavailable", e.getMessage()).response(e.invalid() ? 400 : 503);
    }
}
