package org.portcullis.quarantine.rest;

import java.util.Locale;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/** A refused quarantine call: 400 bad input, 404 no such message (or not the caller's), 403 a right or scope missing (or a forged link), 503 a peer down, 410 a link expired or used. */
@Component(service = ExceptionMapper.class, property = {Api.EXTENSION})
public class QuarantineErrorMapper implements ExceptionMapper<QuarantineException> {

    @Override
    public Response toResponse(QuarantineException e) {
        return new ApiError(e.code().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getMessage()).response(status(e.code()));
    }

    static int status(QuarantineException.Code code) {
        return switch (code) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case FORBIDDEN -> 403;
            case UNAVAILABLE -> 503;
            case GONE -> 410;
        };
    }
}
