package org.portcullis.cluster.rest;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.cluster.ClusterException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/** A refused or failed cluster operation (a node on another version promoted, the database down) as the API's error body: 409. */
@Component(service = javax.ws.rs.ext.ExceptionMapper.class, property = {Api.EXTENSION})
public class ClusterErrorMapper implements ExceptionMapper<ClusterException> {

    @Override
    public Response toResponse(ClusterException e) {
        return new ApiError("cluster_refused", e.getMessage()).response(409);
    }
}
