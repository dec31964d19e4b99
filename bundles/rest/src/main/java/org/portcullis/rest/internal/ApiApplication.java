package org.portcullis.rest.internal;

import javax.ws.rs.core.Application;

import org.portcullis.rest.Api;

/**
 * The JAX-RS application at {@value Api#BASE}, registered by {@link ApiPublisher}; resources and
 * extensions join it by selecting its name. It requires the authentication filter: the whiteboard
 * does not serve it (no path at all answers) while that filter is missing.
 */
public class ApiApplication extends Application {
}
