package org.portcullis.updater.pkg;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an update package is and holds (docs/UPDATE-FORMAT.md): the versions it moves between,
 * what it needs, the features and migrations it brings, its OS step, and the size and SHA-256 of
 * every file in it. {@link #parse} is strict: every deviation is one line naming the manifest line.
 */
public record UpdateManifest(
        ProductVersion fromVersion,
        ProductVersion toVersion,
        Instant created,
        long minMemoryMb,
        String featureRepository,
        List<String> features,
        List<MigrationEntry> migrations,
        String osStep,
        String osUndo,
        String notes,
        List<FileEntry> files) {

    public static final int FORMAT = 1;
    public static final String PRODUCT = "portcullis";

    /** A file of the package: its path inside it, size and SHA-256 (lower-case hex). */
    public record FileEntry(String sha256, long size, String path) {
        public FileEntry {
            requireHash(sha256, "file " + path);
            if (size < 0) {
                throw new PackageException("file " + path + " has a negative size");
            }
            EntryNames.require(path);
        }
    }

    /** A database migration a new bundle brings: the bundle's artifact id, the script's file name, its SHA-256. */
    public record MigrationEntry(String artifact, String script, String sha256) {
        public MigrationEntry {
            if (!ARTIFACT.matcher(artifact).matches()) {
                throw new PackageException("migration bundle '" + artifact + "' is not an artifact id");
            }
            if (!SCRIPT.matcher(script).matches()) {
                throw new PackageException("migration script '" + script + "' is not named V<n>__<description>.sql");
            }
            requireHash(sha256, "migration " + script);
        }
    }

    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ARTIFACT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern SCRIPT = Pattern.compile("V[1-9][0-9]{0,8}__[A-Za-z0-9_]{1,100}\\.sql");
    private static final Pattern FEATURE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern REPOSITORY = Pattern.compile("mvn:[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/xml(/[A-Za-z0-9._-]+)?");
    private static final Set<String> REPEATED = Set.of("feature", "migration", "file");
    private static final List<String> SINGLE = List.of("format", "product", "from-version", "to-version", "created",
            "min-memory-mb", "feature-repository", "os-step", "os-undo", "notes");
    private static final int MAX_BYTES = 4 << 20;

    public UpdateManifest {
        features = List.copyOf(features);
        migrations = List.copyOf(migrations);
        files = List.copyOf(files);
        if (toVersion.compareTo(fromVersion) <= 0) {
            throw new PackageException("to-version " + toVersion + " is not above from-version " + fromVersion);
        }
        if (minMemoryMb < 0) {
            throw new PackageException("min-memory-mb is negative");
        }
        if (!REPOSITORY.matcher(featureRepository).matches()) {
            throw new PackageException("feature-repository '" + EntryNames.printable(featureRepository) + "' is not a mvn: features URL");
        }
        for (String f : features) {
            if (!FEATURE.matcher(f).matches()) {
                throw new PackageException("feature '" + EntryNames.printable(f) + "' is not a feature name");
            }
        }
        Set<String> paths = new HashSet<>();
        for (FileEntry f : files) {
            if (!paths.add(f.path())) {
                throw new PackageException("file " + f.path() + " is listed twice");
            }
        }
        requireListed(paths, osStep, "os-step", "os/");
        requireListed(paths, osUndo, "os-undo", "os/");
        if (osStep.isEmpty() && !osUndo.isEmpty()) {
            throw new PackageException("os-undo is given without an os-step");
        }
        requireListed(paths, notes, "notes", "");
    }

    private static void requireListed(Set<String> paths, String path, String key, String prefix) {
        if (!path.isEmpty() && (!path.startsWith(prefix) || !paths.contains(path))) {
            throw new PackageException(key + " " + path + " is not a file" + (prefix.isEmpty() ? "" : " under " + prefix) + " of the package");
        }
    }

    private static void requireHash(String sha256, String what) {
        if (sha256 == null || !HASH.matcher(sha256).matches()) {
            throw new PackageException(what + ": '" + sha256 + "' is not a SHA-256 in lower-case hex");
        }
    }

    /** The file line for {@code path}, or {@code null}. */
    public FileEntry file(String path) {
        for (FileEntry f : files) {
            if (f.path().equals(path)) {
                return f;
            }
        }
        return null;
    }

    /** The manifest as stored and signed. */
    public byte[] toBytes() {
        StringBuilder b = new StringBuilder();
        line(b, "format", Integer.toString(FORMAT));
        line(b, "product", PRODUCT);
        line(b, "from-version", fromVersion.toString());
        line(b, "to-version", toVersion.toString());
        line(b, "created", created.toString());
        line(b, "min-memory-mb", Long.toString(minMemoryMb));
        line(b, "feature-repository", featureRepository);
        features.forEach(f -> line(b, "feature", f));
        migrations.forEach(m -> line(b, "migration", m.artifact() + " " + m.script() + " " + m.sha256()));
        line(b, "os-step", osStep);
        line(b, "os-undo", osUndo);
        line(b, "notes", notes);
        files.forEach(f -> line(b, "file", f.sha256() + " " + f.size() + " " + f.path()));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append('=').append(value).append('\n');
    }

    /** Reads a manifest, refusing anything that is not exactly the format. */
    public static UpdateManifest parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new PackageException("the manifest is larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PackageException("the manifest is not UTF-8");
        }
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new PackageException("the manifest does not end with a line break");
        }
        Map<String, String> single = new LinkedHashMap<>();
        List<String> features = new ArrayList<>();
        List<MigrationEntry> migrations = new ArrayList<>();
        List<FileEntry> files = new ArrayList<>();
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String where = "manifest line " + (i + 1);
            String line = lines[i];
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new PackageException(where + " is not key=value");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            try {
                if (REPEATED.contains(key)) {
                    switch (key) {
                        case "feature" -> features.add(value);
                        case "migration" -> {
                            String[] p = fields(value, 3, "<artifact> <script> <sha256>");
                            migrations.add(new MigrationEntry(p[0], p[1], p[2]));
                        }
                        default -> {
                            String[] p = fields(value, 3, "<sha256> <size> <path>");
                            files.add(new FileEntry(p[0], number(p[1], "size"), p[2]));
                        }
                    }
                } else if (SINGLE.contains(key)) {
                    if (single.putIfAbsent(key, value) != null) {
                        throw new PackageException("'" + key + "' is given twice");
                    }
                } else {
                    throw new PackageException("unknown key '" + EntryNames.printable(key) + "'");
                }
            } catch (PackageException e) {
                throw new PackageException(where + ": " + e.getMessage());
            }
        }
        for (String key : SINGLE) {
            if (!single.containsKey(key)) {
                throw new PackageException("the manifest has no '" + key + "' line");
            }
        }
        if (!Integer.toString(FORMAT).equals(single.get("format"))) {
            throw new PackageException("manifest format '" + single.get("format") + "' is not " + FORMAT + "; this appliance reads format " + FORMAT);
        }
        if (!PRODUCT.equals(single.get("product"))) {
            throw new PackageException("the package is for '" + single.get("product") + "', not " + PRODUCT);
        }
        Instant created;
        try {
            created = Instant.parse(single.get("created"));
        } catch (DateTimeParseException e) {
            throw new PackageException("created '" + single.get("created") + "' is not an ISO-8601 instant");
        }
        return new UpdateManifest(ProductVersion.parse(single.get("from-version")), ProductVersion.parse(single.get("to-version")),
                created, number(single.get("min-memory-mb"), "min-memory-mb"), single.get("feature-repository"), features,
                migrations, single.get("os-step"), single.get("os-undo"), single.get("notes"), files);
    }

    private static String[] fields(String value, int n, String shape) {
        String[] p = value.split(" ", -1);
        if (p.length != n) {
            throw new PackageException("'" + EntryNames.printable(value) + "' is not " + shape);
        }
        return p;
    }

    private static long number(String value, String what) {
        if (!value.matches("0|[1-9][0-9]{0,17}")) {
            throw new PackageException(what + " '" + EntryNames.printable(value) + "' is not a number");
        }
        return Long.parseLong(value);
    }
}
