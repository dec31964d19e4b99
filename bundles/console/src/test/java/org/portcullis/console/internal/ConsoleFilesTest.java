package org.portcullis.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class ConsoleFilesTest {

    @Test
    void theIndexAndTheConsolesFilesAreFound() {
        assertEquals(Optional.of("console/index.html"), ConsoleFiles.entry("/"));
        assertEquals(Optional.of("console/app.js"), ConsoleFiles.entry("/app.js"));
        assertEquals(Optional.of("console/pages/lists.js"), ConsoleFiles.entry("/pages/lists.js"));
        assertEquals(Optional.of("console/i18n/ja.json"), ConsoleFiles.entry("/i18n/ja.json"));
        assertEquals(Optional.of("text/javascript; charset=utf-8"), ConsoleFiles.type("console/app.js"));
    }

    @Test
    void nothingOutsideTheConsoleNorOfAnotherKindIsNamed() {
        for (String bad : new String[] {"/../META-INF/MANIFEST.MF", "/..", "/pages/../../x.js", "/%2e%2e/x.js", "/.hidden.js",
                "/org/portcullis/console/internal/ConsoleServlet.class", "/a\\b.js", "/app.js/", "//app.js", "/x.txt", "/app",
                "/a/b/c/d.js", "/app.js?x=1", "/ app.js"}) {
            assertTrue(ConsoleFiles.entry(bad).isEmpty(), bad);
        }
    }

    @Test
    void thePolicyAllowsNothingInlineAndNoFraming() {
        assertTrue(SafeHeaders.POLICY.contains("script-src 'self'"));
        assertTrue(SafeHeaders.POLICY.contains("frame-ancestors 'none'"));
        assertTrue(!SafeHeaders.POLICY.contains("unsafe"), SafeHeaders.POLICY);
    }
}
