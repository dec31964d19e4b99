package org.portcullis.updater.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpdateManifestTest {

    private static final String HASH = "0123456789abcdef".repeat(4);

    private static final String GOOD = """
            format=1
            product=portcullis
            from-version=0.1.0
            to-version=0.2.0
            created=2026-12-01T15:00:00Z
            min-memory-mb=4096
            feature-repository=mvn:org.portcullis/portcullis-features/0.2.0/xml/features
            feature=portcullis
            migration=lists V4__add_expiry.sql HASH
            os-step=os/apply
            os-undo=
            notes=
            file=HASH 12 os/apply
            """.replace("HASH", HASH);

    @Test
    void aManifestReadsBackAsItWasWritten() {
        UpdateManifest m = UpdateManifest.parse(GOOD.getBytes(StandardCharsets.UTF_8));
        assertEquals("0.1.0", m.fromVersion().toString());
        assertEquals(Instant.parse("2026-12-01T15:00:00Z"), m.created());
        assertEquals(12, m.file("os/apply").size());
        assertEquals(GOOD, new String(m.toBytes(), StandardCharsets.UTF_8));
    }

    /** Each bad manifest is refused with one line that names what is wrong. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "format=1|format=2|manifest format '2' is not 1",
        "product=portcullis|product=spamtitan|is for 'spamtitan'",
        "to-version=0.2.0|to-version=0.1.0|to-version 0.1.0 is not above from-version 0.1.0",
        "to-version=0.2.0|to-version=0.0.9|to-version 0.0.9 is not above from-version 0.1.0",
        "from-version=0.1.0|from-version=0.1|'0.1' is not a version",
        "from-version=0.1.0|from-version=01.1.0|'01.1.0' is not a version",
        "created=2026-12-01T15:00:00Z|created=yesterday|created 'yesterday' is not an ISO-8601 instant",
        "min-memory-mb=4096|min-memory-mb=-1|min-memory-mb '-1' is not a number",
        "feature-repository=mvn:org.portcullis/portcullis-features/0.2.0/xml/features|feature-repository=http://evil/x.xml|is not a mvn: features URL",
        "feature=portcullis|feature=port cullis|feature 'port cullis' is not a feature name",
        "migration=lists V4__add_expiry.sql|migration=lists ../V4.sql|is not named V<n>__<description>.sql",
        "file=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + " 12 os/apply|file=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + " 12 os/../../etc/passwd|is not a plain relative path",
        "file=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + " 12 os/apply|file=" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef" + " 12 os/apply|is not a SHA-256 in lower-case hex",
        "os-step=os/apply|os-step=os/missing|os-step os/missing is not a file under os/ of the package",
        "notes=|notes=notes.txt|notes notes.txt is not a file of the package",
        "notes=|colour=blue|manifest line 12: unknown key 'colour'",
        "notes=|format=1|manifest line 12: 'format' is given twice",
        "notes=|notes|manifest line 12 is not key=value",
    })
    void badManifestsAreRefusedWithTheirLine(String line, String replacement, String message) {
        String text = GOOD.replace(line, replacement);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        PackageException e = assertThrows(PackageException.class, () -> UpdateManifest.parse(bytes));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void aMissingLineOrAMissingLastBreakIsRefused() {
        byte[] noNotes = GOOD.replace("notes=\n", "").getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(PackageException.class, () -> UpdateManifest.parse(noNotes)).getMessage().contains("has no 'notes' line"));
        byte[] noBreak = GOOD.strip().getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(PackageException.class, () -> UpdateManifest.parse(noBreak)).getMessage().contains("does not end with a line break"));
        byte[] latin1 = GOOD.replace("feature=portcullis", "feature=portcullis\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(PackageException.class, () -> UpdateManifest.parse(latin1)).getMessage().contains("is not UTF-8"));
        byte[] undoAlone = GOOD.replace("os-step=os/apply\nos-undo=", "os-step=\nos-undo=os/apply").getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(PackageException.class, () -> UpdateManifest.parse(undoAlone)).getMessage().contains("os-undo is given without an os-step"));
        byte[] carriageReturn = GOOD.replace("feature=portcullis", "feature=portcullis\r").getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(PackageException.class, () -> UpdateManifest.parse(carriageReturn)).getMessage().contains("'portcullis\\u000d' is not a feature name"));
    }

    @Test
    void versionsCompareByNumberAndAQualifiedOneIsLower() {
        List<String> ordered = List.of("0.1.0-SNAPSHOT", "0.1.0", "0.1.1", "0.2.0-rc1", "0.2.0-rc2", "0.2.0", "0.10.0", "1.0.0");
        for (int i = 0; i + 1 < ordered.size(); i++) {
            ProductVersion a = ProductVersion.parse(ordered.get(i));
            ProductVersion b = ProductVersion.parse(ordered.get(i + 1));
            assertTrue(a.compareTo(b) < 0, a + " < " + b);
            assertTrue(b.compareTo(a) > 0, b + " > " + a);
        }
        assertEquals(ProductVersion.parse("0.1.0"), ProductVersion.parse("0.1.0"));
        for (String bad : new String[] {"", "1", "1.2", "1.2.3.4", "v1.2.3", "1.2.3-", "1.2.3-a b", "1.2.-3"}) {
            assertThrows(PackageException.class, () -> ProductVersion.parse(bad), bad);
        }
    }
}
