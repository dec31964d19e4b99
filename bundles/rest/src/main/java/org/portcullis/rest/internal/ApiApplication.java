package org.portcullis.rest.internal;

import javax.ws.rs.core.Application;

import org.osgi.service.component.annotations.Component;
import org.portcullis.rest.Api;

/**
 * The JAX-RS application at {@value Api#BASE}; resources and extensions join it by selecting its
 * name. It requires the authentication filter: the whiteboard does not serve it (no path at all
 * answers) while that filter is missing.
 */
@Component(service = Application.class, property = {"osgi.jaxrs.application.base=" + Api.BASE, "osgi.jaxrs.name=portcullis",
    "osgi.jaxrs.extension.select=(" + AuthenticationFilter.MARK + "=true)"})
public class ApiApplication extends Application {
}
