package org.portcullis.rest.internal;

import java.util.Locale;
import java.util.UUID;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.auth.AuthException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every failure becomes the API's error body: refusals of the account store with their code,
 * malformed JSON and wrong types as 400, JAX-RS's own (404, 405, 415, …) with the status name,
 * and anything unexpected as a 500 that names a reference found in the log, never a stack trace.
 */
@Component(service = ExceptionMapper.class, property = {Api.EXTENSION})
public class ErrorMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    /** A status and the body that goes with it. */
    record Answer(int status, ApiError error) {
    }

    @Override
    public Response toResponse(Throwable e) {
        Answer a = answer(e);
        return a.error().response(a.status());
    }

    static Answer answer(Throwable e) {
        Throwable json = jsonCause(e);
        if (json != null) {
            return new Answer(400, new ApiError("malformed_json", describe(json)));
        }
        if (e instanceof AuthException a) {
            return new Answer(status(a.code()), new ApiError(a.code().id(), a.getMessage()));
        }
        if (e instanceof WebApplicationException w) {
            Response r = w.getResponse();
            String error = r.getStatusInfo().getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '_');
            return new Answer(r.getStatus(), new ApiError(error, r.getStatusInfo().getReasonPhrase()));
        }
        String reference = UUID.randomUUID().toString();
        LOG.error("REST request failed (reference {})", reference, e);
        return new Answer(500, new ApiError("internal", "internal error; the log has the details under reference " + reference));
    }

    static int status(AuthException.Code code) {
        return switch (code) {
            case INVALID, WEAK_PASSWORD -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case DUPLICATE, LAST_ADMIN -> 409;
            case UNAVAILABLE -> 503;
        };
    }

    /** A fault in the request's JSON (not in writing a response, which is a server bug: 500). */
    private static Throwable jsonCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonParseException || t instanceof MismatchedInputException || t instanceof StreamConstraintsException) {
                return t;
            }
        }
        return null;
    }

    private static String kind(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        return "an object";
    }

    private static String kindOfBody(Throwable json) {
        Class<?> type = ((MismatchedInputException) json).getTargetType();
        return type == null ? "see the API documentation" : "expected " + kind(type);
    }

    /** One line naming what was wrong and where, without echoing the body (it may hold a password). */
    static String describe(Throwable json) {
        if (json instanceof StreamConstraintsException) {
            return "the body has a number, string or nesting longer than this API reads";
        }
        if (json instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        if (json instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().get(m.getPath().size() - 1).getFieldName();
            return "field '" + field + "' has the wrong type" + (m.getTargetType() == null ? "" : " (expected " + kind(m.getTargetType()) + ")");
        }
        if (json instanceof MismatchedInputException) {
            return "the body has the wrong shape: " + kindOfBody(json);
        }
        JsonProcessingException p = (JsonProcessingException) json;
        return "the body is not valid JSON"
                + (p.getLocation() == null ? "" : " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")");
    }
}
