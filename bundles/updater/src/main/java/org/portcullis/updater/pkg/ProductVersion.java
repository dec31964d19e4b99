package org.portcullis.updater.pkg;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A product version, {@code major.minor.patch} with an optional {@code -qualifier}. Versions
 * compare by number; a qualified version ({@code 0.2.0-SNAPSHOT}) is below the same version
 * without one, and two qualifiers compare as text.
 */
public final class ProductVersion implements Comparable<ProductVersion> {

    private static final Pattern SHAPE = Pattern.compile("(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})(-[A-Za-z0-9][A-Za-z0-9.]{0,31})?");

    private final int major;
    private final int minor;
    private final int patch;
    private final String qualifier;
    private final String text;

    private ProductVersion(String text, int major, int minor, int patch, String qualifier) {
        this.text = text;
        this.major = major;
        this.minor = minor;
        this.patch = patch;
        this.qualifier = qualifier;
    }

    /** Parses {@code text}; throws {@link PackageException} naming it when it has another shape. */
    public static ProductVersion parse(String text) {
        var m = text == null ? null : SHAPE.matcher(text);
        if (m == null || !m.matches()) {
            throw new PackageException("'" + text + "' is not a version (major.minor.patch, optionally -qualifier)");
        }
        return new ProductVersion(text, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(4) == null ? "" : m.group(4).substring(1));
    }

    @Override
    public int compareTo(ProductVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c == 0 && !qualifier.equals(o.qualifier)) {
            c = qualifier.isEmpty() ? 1 : o.qualifier.isEmpty() ? -1 : qualifier.compareTo(o.qualifier);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProductVersion v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(major, minor, patch, qualifier);
    }

    @Override
    public String toString() {
        return text;
    }
}
