package org.portcullis.console.internal;

import javax.servlet.http.HttpServletResponse;

/**
 * The headers every answer of the console carries. The policy allows scripts, styles, images and
 * calls from the appliance itself only: no inline script or style, no other site, no framing, no
 * plugin, no form sent elsewhere.
 */
final class SafeHeaders {

    static final String POLICY = String.join("; ", "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
            "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'");

    private SafeHeaders() {
    }

    static void apply(HttpServletResponse response) {
        response.setHeader("Content-Security-Policy", POLICY);
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Strict-Transport-Security", "max-age=31536000");
        // files change with the bundle (an update swaps it): always ask again; they are small
        response.setHeader("Cache-Control", "no-cache");
    }
}
