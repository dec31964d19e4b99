package org.portcullis.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void refusalsCarryAWellFormedReplyOfTheirClass() {
        assertEquals("550 5.7.1 Message rejected: virus Eicar found", new Verdict.Reject("550 5.7.1 Message rejected: virus Eicar found").reply());
        assertEquals("451 4.7.1 try later", new Verdict.Tempfail("451 4.7.1 try\r\nlater").reply(), "folded onto one line");
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Reject("451 4.7.1 a tempfail is not a reject"));
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Tempfail("550 5.7.1 nor the other way round"));
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Reject("550 no enhanced status"));
        assertEquals(Verdict.Kind.REJECT, new Verdict.Reject("554 5.7.0 no").kind());
    }

    @Test
    void deliveredAndHeldMessagesCarryHeadersAndRefusalsNone() {
        Verdict.Header h = new Verdict.Header("X-Portcullis-Verdict", "clean");
        assertEquals(List.of(h), new Verdict.Deliver(List.of(h)).headers());
        assertEquals(List.of(h), new Verdict.Quarantine(List.of(h), "why").headers());
        assertTrue(new Verdict.Tempfail("451 4.3.2 later").headers().isEmpty());
        assertEquals("", new Verdict.Deliver(List.of()).reply());
        assertEquals("a b", new Verdict.Quarantine(List.of(), "a\tb").reason());
        assertEquals("tempfail", Verdict.Kind.TEMPFAIL.id());
    }

    /** What oneLine has always meant, written as the regular expressions it was first written with: the oracle. */
    private static String byRegex(String text) {
        String line = (text == null ? "" : text).replaceAll("[\\x00-\\x1f\\x7f]+", " ").replaceAll("[^\\x20-\\xff]", "?")
                .replaceAll(" {2,}", " ").strip();
        return line.length() > 200 ? line.substring(0, 197) + "..." : line;
    }

    @Test
    void oneLineIsOneSafeLineAndAgreesWithItsRegexDefinition() {
        assertEquals("a b ? c", Verdict.oneLine("  a\r\n\tb  \u2603\u0000 c \u007f"));
        assertEquals("emoji ? once", Verdict.oneLine("emoji \uD83D\uDE00 once"), "a code point outside the BMP is one ?");
        assertEquals("caf\u00e9", Verdict.oneLine("caf\u00e9"), "ISO-8859-1 stays");
        assertEquals("", Verdict.oneLine(null));
        String same = "250 2.0.0 nothing to change";
        assertTrue(same == Verdict.oneLine(same), "a clean line is returned as it is, not copied");
        java.util.Random random = new java.util.Random(42);
        char[] alphabet = {' ', ' ', '\t', '\r', '\n', '\u0000', '\u007f', 'a', 'Z', '\u00e9', '\u00ff', '\u0100', '\u2603', '\uD83D', '\uDE00', '"'};
        for (int run = 0; run < 5000; run++) {
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(300); i > 0; i--) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            assertEquals(byRegex(b.toString()), Verdict.oneLine(b.toString()), () -> "for " + b.toString().chars().boxed().toList());
        }
    }
}
