package org.portcullis.policy;

import java.util.regex.Pattern;

/** The text work behind {@link Verdict#oneLine} and the reply checks, without a regex compiled per call: it runs for every message. */
final class Lines {

    static final Pattern REPLY4 = Pattern.compile("4\\d\\d 4\\.\\d{1,3}\\.\\d{1,3} .+");
    static final Pattern REPLY5 = Pattern.compile("5\\d\\d 5\\.\\d{1,3}\\.\\d{1,3} .+");

    private Lines() {
    }

    /**
     * Runs of control characters become one space, characters outside ISO-8859-1 a {@code ?},
     * runs of spaces one space, no space at either end; at most 200 characters.
     */
    static String oneLine(String text) {
        String t = text == null ? "" : text;
        StringBuilder b = null; // made when the output first differs from the input
        boolean space = true; // as if a space came before: leading spaces go
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            int n = Character.charCount(cp);
            char out = cp < 0x20 || cp == 0x7f ? ' ' : cp > 0xff ? '?' : (char) cp;
            boolean skip = out == ' ' && space;
            if (b == null && (skip || out != cp || n != 1)) {
                b = new StringBuilder(t.length()).append(t, 0, i);
            }
            if (!skip && b != null) {
                b.append(out);
            }
            space = out == ' ';
            i += n;
        }
        String line = b == null ? t : b.toString();
        if (line.endsWith(" ")) {
            line = line.substring(0, line.length() - 1);
        }
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }
}
