package org.portcullis.updater.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.ProductVersion;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** An unpacked Portcullis distribution: its version, files, features and bundles' migrations. */
final class Distribution {

    static final String FEATURES_DIR = "system/org/portcullis/portcullis-features";

    final Path root;
    final ProductVersion version;

    private Distribution(Path root, ProductVersion version) {
        this.root = root;
        this.version = version;
    }

    /** The distribution under {@code dir}: {@code dir} itself, or its one top-level folder (as a tar.gz unpacks). */
    static Distribution at(Path dir, String what) throws IOException {
        Path root = dir;
        if (!Files.isDirectory(root.resolve("system"))) {
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> subs = s.filter(Files::isDirectory).toList();
                if (subs.size() != 1 || !Files.isDirectory(subs.get(0).resolve("system"))) {
                    throw new PackageException(what + " is not a Portcullis distribution (no system/ folder)");
                }
                root = subs.get(0);
            }
        }
        Path features = root.resolve(FEATURES_DIR);
        if (!Files.isDirectory(features)) {
            throw new PackageException(what + " is not a Portcullis distribution (no " + FEATURES_DIR + ")");
        }
        List<Path> versions;
        try (Stream<Path> s = Files.list(features)) {
            versions = s.filter(Files::isDirectory).toList();
        }
        if (versions.size() != 1) {
            throw new PackageException(what + " has " + versions.size() + " versions under " + FEATURES_DIR + ", not one");
        }
        return new Distribution(root, ProductVersion.parse(versions.get(0).getFileName().toString()));
    }

    /** Every regular file under {@code sub}, by path relative to the distribution root ('/'-separated), sorted. */
    TreeMap<String, Path> files(String sub) throws IOException {
        TreeMap<String, Path> out = new TreeMap<>();
        Path base = root.resolve(sub);
        if (!Files.isDirectory(base)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(base)) {
            s.filter(Files::isRegularFile).forEach(p -> out.put(root.relativize(p).toString().replace('\\', '/'), p));
        }
        return out;
    }

    /** The Portcullis features repository as a {@code mvn:} URL. */
    String featureRepository() {
        return "mvn:org.portcullis/portcullis-features/" + version + "/xml/features";
    }

    /** The names of the features the Portcullis repository defines. */
    Set<String> definedFeatures() throws IOException {
        Path xml = root.resolve(FEATURES_DIR + "/" + version + "/portcullis-features-" + version + "-features.xml");
        if (!Files.isRegularFile(xml)) {
            throw new PackageException("distribution " + version + " has no features file " + root.relativize(xml));
        }
        try (InputStream in = Files.newInputStream(xml)) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList nodes = f.newDocumentBuilder().parse(in).getDocumentElement().getChildNodes();
            Set<String> names = new LinkedHashSet<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                if (nodes.item(i) instanceof Element e && e.getLocalName().equals("feature")) {
                    names.add(e.getAttribute("name"));
                }
            }
            return names;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new PackageException("the features file of " + version + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The boot features of {@code etc/org.apache.karaf.features.cfg}, names only, in order. */
    List<String> bootFeatures() throws IOException {
        Path cfg = root.resolve("etc/org.apache.karaf.features.cfg");
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(cfg)));
        List<String> out = new ArrayList<>();
        for (String item : p.getProperty("featuresBoot", "").replace("(", ",").replace(")", ",").split(",")) {
            String name = item.strip();
            int slash = name.indexOf('/');
            if (slash >= 0) {
                name = name.substring(0, slash);
            }
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** The Portcullis bundle jars in {@code system/}: artifact id → jar. */
    TreeMap<String, Path> portcullisBundles() throws IOException {
        TreeMap<String, Path> out = new TreeMap<>();
        for (var e : files("system/org/portcullis").entrySet()) {
            String[] p = e.getKey().split("/");
            // system/org/portcullis/<artifact>/<version>/<artifact>-<version>.jar
            if (p.length == 6 && p[5].equals(p[3] + "-" + p[4] + ".jar")) {
                out.put(p[3], e.getValue());
            }
        }
        return out;
    }

    /** The migration scripts in a bundle jar ({@code db/migration/*.sql}): file name → bytes. */
    static TreeMap<String, byte[]> migrations(Path jar) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        if (jar == null) {
            return out;
        }
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                String n = e.getName();
                if (!e.isDirectory() && n.startsWith("db/migration/") && n.endsWith(".sql") && n.indexOf('/', 13) < 0) {
                    out.put(n.substring(13), in.readAllBytes());
                }
            }
        }
        return out;
    }
}
