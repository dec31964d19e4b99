package org.portcullis.updater.pkg;

import java.util.regex.Pattern;

/** The names a package entry may have: relative, '/'-separated, no '..', a small character set. */
public final class EntryNames {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._+~-]{1,255}");

    private EntryNames() {
    }

    static void require(String path) {
        if (path == null || path.isEmpty() || path.length() > 1024) {
            throw new PackageException("an entry name is empty or longer than 1024 characters");
        }
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new PackageException("entry name '" + printable(path) + "' is not a plain relative path");
            }
        }
    }

    /** The name with control and non-ASCII characters escaped, so an error line stays one line. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                b.append((char) c);
            } else {
                b.append(String.format("\\u%04x", c));
            }
        });
        return b.toString();
    }
}
