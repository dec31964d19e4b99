package org.portcullis.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Optional;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Serves the console's files from this bundle under {@code /console/}. They hold no data and no
 * secret — everything an admin sees comes from {@code /api/v1} with the token of a login — so
 * they are served to anyone, like a login page. {@code /console} goes to {@code /console/}.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=/console/*",
    "osgi.http.whiteboard.servlet.name=portcullis-console"})
public class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private transient BundleContext bundle;

    @Activate
    private void activate(BundleContext context) {
        this.bundle = context;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SafeHeaders.apply(response);
        String pathInfo = request.getPathInfo();
        if (pathInfo == null || pathInfo.isEmpty()) {
            response.sendRedirect(request.getContextPath() + "/console/");
            return;
        }
        Optional<String> entry = ConsoleFiles.entry(pathInfo);
        URL url = entry.map(bundle.getBundle()::getEntry).orElse(null);
        if (url == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType(ConsoleFiles.type(entry.get()).orElseThrow());
        try (InputStream in = url.openStream()) {
            byte[] body = in.readAllBytes();
            response.setContentLength(body.length);
            if (!"HEAD".equals(request.getMethod())) {
                response.getOutputStream().write(body);
            }
        }
    }
}
