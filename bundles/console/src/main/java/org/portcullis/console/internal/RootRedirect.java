package org.portcullis.console.internal;

import java.io.IOException;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * The site's root sends a browser to the console; any other path no servlet claims is a plain
 * 404 (with the console's headers) rather than the container's page.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=/",
    "osgi.http.whiteboard.servlet.name=portcullis-root"})
public class RootRedirect extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SafeHeaders.apply(response);
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod())) && (path.isEmpty() || path.equals("/"))) {
            response.sendRedirect(request.getContextPath() + "/console/");
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
