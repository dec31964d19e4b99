package org.portcullis.quarantine.rest;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.quarantine.HeldMessage;
import org.portcullis.quarantine.Quarantine;
import org.portcullis.quarantine.QuarantineException;
import org.portcullis.rest.Api;

/**
 * {@code /links/release/{token}}: where a digest's release link lands. The token is the
 * credential (no account: the API lets {@code links/} through unauthenticated), so this resource
 * checks it on every call. {@code GET} only shows the message and a button, because mail
 * scanners and previews fetch links on their own; the {@code POST} that button makes releases it.
 * Both answer a small HTML page, with a policy that allows no script, no frame and no referrer.
 */
@Component(service = ReleaseLinkResource.class, property = {Api.RESOURCE})
@Path("links/release")
public class ReleaseLinkResource {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Reference
    private Quarantine quarantine;

    @GET
    @Path("{token}")
    public Response show(@PathParam("token") String token) {
        try {
            HeldMessage m = quarantine.linked(token);
            return page(200, "Release this message?", "<p>Held " + escape(WHEN.format(m.held())) + " as " + escape(m.category()) + ": "
                    + escape(m.reason()) + "</p><p>From: " + escape(m.sender()) + "<br>To: " + escape(m.recipients().get(0).address())
                    + "</p><form method=\"post\"><button type=\"submit\">Release it to me</button></form>");
        } catch (QuarantineException e) {
            return refused(e);
        }
    }

    @POST
    @Path("{token}")
    public Response release(@PathParam("token") String token) {
        try {
            Quarantine.Outcome o = quarantine.releaseLinked(token);
            return page(200, o.done().isEmpty() ? "Nothing to release" : "Released", "<p>" + escape(String.join(" ", o.lines("Released")))
                    + "</p>");
        } catch (QuarantineException e) {
            return refused(e);
        }
    }

    private static Response refused(QuarantineException e) {
        return page(QuarantineErrorMapper.status(e.code()), "This link cannot be used", "<p>" + escape(e.getMessage()) + "</p>");
    }

    private static Response page(int status, String title, String body) {
        String html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body><h1>"
                + escape(title) + "</h1>" + body + "</body></html>";
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html)
                .header("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
                .header("X-Frame-Options", "DENY").header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff").build();
    }

    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
