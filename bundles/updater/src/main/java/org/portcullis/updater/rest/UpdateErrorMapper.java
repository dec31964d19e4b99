package org.portcullis.updater.rest;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;
import org.portcullis.updater.pkg.PackageException;

/** A refused update (bad package, failed prechecks, one already running, no update URL) as the API's error body: 400. */
@Component(service = javax.ws.rs.ext.ExceptionMapper.class, property = {Api.EXTENSION})
public class UpdateErrorMapper implements ExceptionMapper<PackageException> {

    @Override
    public Response toResponse(PackageException e) {
        return new ApiError("update_refused", e.getMessage()).response(400);
    }
}
