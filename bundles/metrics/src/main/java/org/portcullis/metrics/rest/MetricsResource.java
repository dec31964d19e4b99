package org.portcullis.metrics.rest;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.core.Response;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.auth.Right;
import org.portcullis.metrics.internal.MetricsService;
import org.portcullis.metrics.internal.PortcullisMetrics;
import org.portcullis.rest.Api;
import org.portcullis.rest.RequiresRight;

/**
 * {@code /metrics}: Prometheus's text format, for an account holding the right {@code metrics}
 * (Prometheus scrapes with {@code basic_auth}, or a Bearer token from a login).
 */
@Component(service = MetricsResource.class, property = {Api.RESOURCE})
@Path("metrics")
@RequiresRight(Right.METRICS)
public class MetricsResource {

    @Reference
    private MetricsService service;

    @GET
    public Response scrape() {
        return Response.ok(service.metrics().scrape(), PortcullisMetrics.contentType()).build();
    }
}
