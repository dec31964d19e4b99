package org.portcullis.console.internal;

import java.util.Map;
import java.util.Optional;

/**
 * Which request paths under {@code /console/} name a file of the console, and its media type.
 * Only names made of letters, digits, {@code -}, {@code _} and {@code .} in at most two
 * directory levels, with an extension the console uses, ever reach the bundle's entries.
 */
final class ConsoleFiles {

    static final String ROOT = "console/";
    static final String INDEX = "index.html";

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml");

    private ConsoleFiles() {
    }

    /**
     * @param pathInfo the request's path after {@code /console}, e.g. {@code /app.js}; {@code /} or empty is the index
     * @return the bundle entry's name, e.g. {@code console/app.js}, or empty when no file may have that name
     */
    static Optional<String> entry(String pathInfo) {
        String p = pathInfo == null || pathInfo.equals("/") ? "/" + INDEX : pathInfo;
        if (!p.matches("(/[A-Za-z0-9_-][A-Za-z0-9_.-]*){1,3}") || p.contains("..") || type(p).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ROOT + p.substring(1));
    }

    /** The media type of a file name by its extension, if the console serves that kind. */
    static Optional<String> type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.ofNullable(TYPES.get(name.substring(dot + 1)));
    }
}
