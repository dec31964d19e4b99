package org.portcullis.rest.internal;

import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;

import org.apache.cxf.jaxrs.model.wadl.WadlGenerator;
import org.osgi.service.component.annotations.Component;
import org.portcullis.rest.Api;

/**
 * Turns CXF's WADL description off. CXF puts its {@link WadlGenerator} first among the
 * pre-matching filters, ahead of {@link AuthenticationFilter}, so {@code ?_wadl} would describe
 * every resource to anyone. CXF replaces its own generator with one the application registers,
 * so this one takes its place and answers nothing: a {@code ?_wadl} request goes on to
 * authentication like any other. The API's description is {@code openapi.json}.
 */
@Component(service = ContainerRequestFilter.class, property = {Api.EXTENSION})
public class NoWadl extends WadlGenerator {

    @Override
    public void filter(ContainerRequestContext context) {
        // nothing: no WADL is ever generated
    }
}
