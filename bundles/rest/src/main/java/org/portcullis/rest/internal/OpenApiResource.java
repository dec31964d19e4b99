package org.portcullis.rest.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.HEAD;
import javax.ws.rs.OPTIONS;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.portcullis.core.ProductInfo;
import org.portcullis.rest.Api;

/**
 * {@code GET /openapi.json}: an OpenAPI 3.0 document of every resource published to the API now,
 * read from their JAX-RS annotations (so a bundle's new endpoints appear as it starts). It lists
 * paths, operations, path and query parameters, the schemas of request and response bodies
 * (from their record types, see {@link JsonSchemas}), the right each needs, and the two ways to
 * authenticate.
 */
@Component(service = OpenApiResource.class, property = {Api.RESOURCE})
@Path("openapi.json")
public class OpenApiResource {

    private static final List<Class<? extends Annotation>> VERBS = List.of(GET.class, POST.class, PUT.class, DELETE.class, HEAD.class,
            OPTIONS.class);

    private BundleContext context;

    @org.osgi.service.component.annotations.Reference
    private ProductInfo product;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> document() throws InvalidSyntaxException {
        Map<String, Map<String, Object>> paths = new TreeMap<>();
        JsonSchemas schemas = new JsonSchemas();
        for (Class<?> type : resourceClasses()) {
            describe(type, paths, schemas);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "Portcullis API", "version", product.version()));
        doc.put("servers", List.of(Map.of("url", Api.BASE)));
        doc.put("components", Map.of("schemas", schemas.named(), "securitySchemes", Map.of(
                "basic", Map.of("type", "http", "scheme", "basic"),
                "bearer", Map.of("type", "http", "scheme", "bearer", "description", "a token from POST /auth/login"))));
        doc.put("security", List.of(Map.of("basic", List.of()), Map.of("bearer", List.of())));
        doc.put("paths", paths);
        return doc;
    }

    /** The classes of every resource of the API, loaded from the bundles that registered them. */
    private List<Class<?>> resourceClasses() throws InvalidSyntaxException {
        List<Class<?>> classes = new ArrayList<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(" + Api.RESOURCE + ")");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            if (ref.getBundle() == null) {
                continue;
            }
            for (String name : (String[]) ref.getProperty("objectClass")) {
                try {
                    Class<?> c = ref.getBundle().loadClass(name);
                    if (c.isAnnotationPresent(Path.class)) {
                        classes.add(c);
                    }
                } catch (ClassNotFoundException e) {
                    // registered under an interface without @Path: nothing to describe
                }
            }
        }
        return classes;
    }

    static void describe(Class<?> type, Map<String, Map<String, Object>> paths, JsonSchemas schemas) {
        String base = "/" + strip(type.getAnnotation(Path.class).value());
        for (Method m : type.getMethods()) {
            for (Class<? extends Annotation> verb : VERBS) {
                if (!m.isAnnotationPresent(verb)) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                String path = sub == null ? base : base + "/" + strip(sub.value());
                Map<String, Object> operation = new LinkedHashMap<>();
                operation.put("operationId", type.getSimpleName() + "." + m.getName());
                List<Map<String, Object>> parameters = new ArrayList<>();
                Parameter body = null;
                for (Parameter p : m.getParameters()) {
                    if (p.isAnnotationPresent(PathParam.class)) {
                        parameters.add(Map.of("name", p.getAnnotation(PathParam.class).value(), "in", "path", "required", true,
                                "schema", Map.of("type", "string")));
                    } else if (p.isAnnotationPresent(QueryParam.class)) {
                        parameters.add(Map.of("name", p.getAnnotation(QueryParam.class).value(), "in", "query",
                                "schema", Map.of("type", "string")));
                    } else if (!p.isAnnotationPresent(Context.class) && p.getAnnotations().length == 0) {
                        body = p;
                    }
                }
                if (!parameters.isEmpty()) {
                    operation.put("parameters", parameters);
                }
                if (body != null) {
                    javax.ws.rs.Consumes consumes = m.isAnnotationPresent(javax.ws.rs.Consumes.class) ? m.getAnnotation(javax.ws.rs.Consumes.class)
                            : type.getAnnotation(javax.ws.rs.Consumes.class);
                    String media = consumes == null || consumes.value().length == 0 ? MediaType.APPLICATION_JSON : consumes.value()[0];
                    Map<String, Object> schema = media.equals(MediaType.APPLICATION_JSON) ? schemas.of(body.getParameterizedType())
                            : Map.of("type", "string", "format", "binary");
                    operation.put("requestBody", Map.of("required", true, "content", Map.of(media, Map.of("schema",
                            schema == null ? Map.of("type", "object") : schema))));
                }
                if (AuthenticationFilter.isPublic(verb.getSimpleName(), path)) {
                    operation.put("security", List.of());
                }
                org.portcullis.rest.RequiresRight right = AuthorizationFilter.requiresRight(m);
                if (right != null) {
                    operation.put("x-portcullis-right", right.value().id());
                }
                if (AuthorizationFilter.adminOnly(m)) {
                    operation.put("x-portcullis-admin-only", true);
                }
                Map<String, Object> responses = new LinkedHashMap<>();
                Map<String, Object> returned = schemas.of(m.getGenericReturnType());
                if (returned != null) {
                    responses.put("200", Map.of("description", "OK", "content", Map.of(MediaType.APPLICATION_JSON, Map.of("schema", returned))));
                }
                responses.put("default", Map.of("description", "JSON; errors as {\"error\", \"message\"}"));
                operation.put("responses", responses);
                paths.computeIfAbsent(path, k -> new TreeMap<>()).put(verb.getSimpleName().toLowerCase(java.util.Locale.ROOT), operation);
            }
        }
    }

    private static String strip(String p) {
        String s = p.startsWith("/") ? p.substring(1) : p;
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
