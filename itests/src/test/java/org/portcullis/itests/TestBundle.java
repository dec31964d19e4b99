package org.portcullis.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A bundle built by a test at run time from a fixture class and a hand-written component
 * description (the itests are not processed by bnd).
 */
final class TestBundle {

    private final Manifest manifest = new Manifest();
    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    private TestBundle(String symbolicName, String version, String imports) {
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        main.putValue("Import-Package", imports);
    }

    /** A scanner bundle that scores mail with SPAM-MARKER in its body as spam (the quarantine's threshold). */
    static byte[] markerSpamScanner() throws IOException {
        Class<?> type = org.portcullis.itests.fixture.MarkerSpamScanner.class;
        return of("org.portcullis.itests.marker-spam", "1.0.0", "org.portcullis.scanner;version=\"[1.1,2)\"")
                .withClass(type)
                .withComponent("marker-spam", "", "<implementation class=\"" + type.getName() + "\"/>"
                        + "<service><provide interface=\"org.portcullis.scanner.MessageScanner\"/></service>")
                .build();
    }

    static TestBundle of(String symbolicName, String version, String imports) {
        return new TestBundle(symbolicName, version, imports);
    }

    /** Adds the class file of {@code type}, read from the test classpath. */
    TestBundle withClass(Class<?> type) throws IOException {
        String classFile = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(classFile)) {
            entries.put(classFile, in.readAllBytes());
        }
        return this;
    }

    /** Adds a Declarative Services description (its body inside {@code scr:component}) and names it in the manifest. */
    TestBundle withComponent(String name, String attributes, String body) {
        String path = "OSGI-INF/" + name + ".xml";
        manifest.getMainAttributes().putValue("Service-Component", path);
        return with(path, "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"" + name + "\"" + attributes + ">"
                + body + "</scr:component>");
    }

    TestBundle with(String path, String text) {
        entries.put(path, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    byte[] build() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
