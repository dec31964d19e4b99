package org.portcullis.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The console's text and markup, read as the browser gets them: one catalogue per language with
 * the same keys, every key the code asks for present, and nothing inline that the
 * Content-Security-Policy would have to allow.
 */
class CatalogueTest {

    private static final Path ROOT = Path.of("src/main/resources/console");
    /** A literal key asked of t(): t('page.lists') — not set('x') or at('y'). */
    private static final Pattern ASKED = Pattern.compile("(?<![\\w.])t\\('([^']+)'");
    /** Keys built at run time from a family and the API's values, with the values the API has. */
    private static final List<String> FAMILIES = List.of(
            "page.dashboard", "page.maillog", "page.quarantine", "page.lists", "page.backups", "page.updates", "page.cluster",
            "page.accounts", "page.certificates", "page.password",
            "held.spam", "held.virus", "held.sandbox", "held.policy",
            "held.state.held", "held.state.released", "held.state.deleted", "held.state.expired",
            "bak.kind.create", "bak.kind.verify", "bak.kind.restore",
            "role.admin", "role.domain-admin", "role.user", "role.node.primary", "role.node.secondary",
            "verdict.deliver", "verdict.tag", "verdict.quarantine", "verdict.reject", "verdict.tempfail", "verdict.discard",
            "list.allow", "list.block",
            "right.lists-manage", "right.quarantine-release", "right.virus-release", "right.sandbox-release", "right.backup",
            "right.update", "right.cluster", "right.accounts", "right.certificates", "right.metrics");

    @Test
    void everyLanguageHasEveryKeyAndEveryKeyAskedForExists() throws IOException {
        Set<String> en = keys("en");
        Set<String> ja = keys("ja");
        assertEquals(en, ja, "the catalogues differ");
        Set<String> asked = new TreeSet<>(FAMILIES);
        for (Path js : files(".js")) {
            Matcher m = ASKED.matcher(Files.readString(js));
            while (m.find()) {
                asked.add(m.group(1));
            }
        }
        Matcher m = Pattern.compile("data-i18n(?:-label)?=\"([^\"]+)\"").matcher(Files.readString(ROOT.resolve("index.html")));
        while (m.find()) {
            asked.add(m.group(1));
        }
        assertTrue(asked.size() > 100, "the scan found the keys: " + asked.size());
        Set<String> missing = new TreeSet<>(asked);
        missing.removeAll(en);
        assertEquals(Set.of(), missing, "asked for but not in the catalogue");
        Set<String> unused = new TreeSet<>(en);
        unused.removeAll(asked);
        assertEquals(Set.of(), unused, "in the catalogue but never asked for");
    }

    @Test
    void theJapaneseCatalogueIsTranslated() throws IOException {
        JsonNode en = new ObjectMapper().readTree(ROOT.resolve("i18n/en.json").toFile());
        JsonNode ja = new ObjectMapper().readTree(ROOT.resolve("i18n/ja.json").toFile());
        List<String> same = new ArrayList<>();
        en.fieldNames().forEachRemaining(k -> {
            if (en.get(k).asText().equals(ja.get(k).asText()) && en.get(k).asText().matches(".*[a-z]{4,}.*")) {
                same.add(k);
            }
        });
        // the product's own words stay as they are in both languages
        same.removeAll(List.of("role.node.primary", "role.node.secondary", "mail.messageId"));
        assertEquals(List.of(), same, "left in English in ja.json");
        en.fieldNames().forEachRemaining(k -> assertEquals(placeholders(en.get(k).asText()), placeholders(ja.get(k).asText()),
                "the placeholders of " + k));
    }

    @Test
    void nothingInlineAndNoHtmlParsedFromText() throws IOException {
        String html = Files.readString(ROOT.resolve("index.html"));
        assertTrue(!Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "an inline script");
        assertTrue(!Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "an inline event handler");
        assertTrue(!html.contains("style=") && !html.contains("<style"), "inline style");
        assertTrue(!Pattern.compile("https?://").matcher(html).find(), "a resource from another site");
        for (Path js : files(".js")) {
            String code = Files.readString(js);
            for (String banned : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                    "sessionStorage", "document.cookie", "http://", "https://"}) {
                assertTrue(!code.contains(banned), js + " uses " + banned);
            }
            assertTrue(!Pattern.compile("['\"]?\\bstyle['\"]?\\s*:|setAttribute\\(\\s*['\"]style").matcher(code).find(),
                    js + " sets an inline style (the policy refuses it)");
        }
        // the token: only api.js holds it, and it stores nothing anywhere
        String api = Files.readString(ROOT.resolve("api.js"));
        assertTrue(!api.contains("localStorage") && api.contains("let token = null;"), "api.js keeps the token in memory only");
        for (Path js : files(".js")) {
            String code = Files.readString(js);
            assertTrue(!code.contains("localStorage") || code.contains("localStorage.setItem(STORE, lang)"), js + " stores something");
        }
    }

    private static Set<String> placeholders(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\{(\\w+)}").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> keys(String lang) throws IOException {
        Set<String> keys = new TreeSet<>();
        new ObjectMapper().readTree(ROOT.resolve("i18n/" + lang + ".json").toFile()).fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
