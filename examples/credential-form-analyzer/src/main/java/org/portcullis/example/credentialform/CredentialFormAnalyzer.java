package org.portcullis.example.credentialform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * An example sandbox analyser: an HTML attachment with a form that asks for a password is a
 * credential-phishing page (a real sign-in page is never mailed as a file). It reads at most the
 * first {@value #LIMIT} bytes of an attachment that is HTML by its detected type or its name.
 */
@Component(service = SandboxAnalyzer.class)
public class CredentialFormAnalyzer implements SandboxAnalyzer {

    static final int LIMIT = 4 << 20;

    private static final Set<String> HTML_NAMES = Set.of("htm", "html", "xhtml", "shtml", "svg");
    private static final Pattern FORM = Pattern.compile("<form\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern PASSWORD = Pattern.compile("<input\\b[^>]*\\btype\\s*=\\s*[\"']?password\\b", Pattern.CASE_INSENSITIVE);

    @Override
    public String name() {
        return "credential-form";
    }

    @Override
    public Duration deadline() {
        return Duration.ofSeconds(10);
    }

    @Override
    public Finding analyze(Part attachment) throws IOException {
        if (!html(attachment)) {
            return Finding.clean();
        }
        String text;
        try (InputStream in = attachment.open()) {
            // ISO-8859-1 keeps every byte as one character: the markup is ASCII whatever the page's charset
            text = new String(in.readNBytes(LIMIT), StandardCharsets.ISO_8859_1);
        }
        if (FORM.matcher(text).find() && PASSWORD.matcher(text).find()) {
            return Finding.malicious("HTML form asking for a password (a credential-phishing page)");
        }
        return Finding.clean();
    }

    private static boolean html(Part p) {
        String name = p.filename().orElse("").toLowerCase(Locale.ROOT);
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
        return p.detectedType().equals("text/html") || p.detectedType().equals("application/xhtml+xml") || HTML_NAMES.contains(extension);
    }
}
