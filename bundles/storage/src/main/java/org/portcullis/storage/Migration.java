package org.portcullis.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of a schema's history: a SQL script with a version, named {@code V<version>__<description>.sql}
 * (for example {@code V2__add_expiry.sql}). The checksum is the SHA-256 of the script with line
 * endings normalised to LF, so a checkout on another platform does not count as an edit.
 *
 * @param version the position in the schema's history; applied in ascending order, each once
 * @param description what the step does, from the file name ({@code _} read as a space)
 * @param script the SQL, run in one transaction with the schema as {@code search_path}
 * @param checksum lower-case hex SHA-256 of the normalised script
 */
public record Migration(int version, String description, String script, String checksum) {

    private static final Pattern NAME = Pattern.compile("V(\\d{1,9})__([A-Za-z0-9_\\-]+)\\.sql");

    public Migration {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(checksum, "checksum");
        if (version < 1) {
            throw new IllegalArgumentException("migration version must be 1 or more, was " + version);
        }
    }

    /**
     * Builds a migration from a file name and its content.
     *
     * @throws IllegalArgumentException when the name is not {@code V<n>__<description>.sql}
     */
    public static Migration of(String fileName, String script) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException("migration file name '" + fileName
                    + "' is not V<version>__<description>.sql");
        }
        String normalised = script.replace("\r\n", "\n");
        return new Migration(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), normalised,
                sha256(normalised));
    }

    /** The file name this migration is known by in messages. */
    public String fileName() {
        return "V" + version + "__" + description.replace(' ', '_') + ".sql";
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
