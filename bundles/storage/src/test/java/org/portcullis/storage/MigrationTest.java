package org.portcullis.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @ParameterizedTest
    @CsvSource({
        "V1__init.sql, 1, init",
        "V12__add_expiry_column.sql, 12, add expiry column",
        "V007__x.sql, 7, x",
        "V3__with-dash.sql, 3, with-dash",
    })
    void parsesVersionAndDescriptionFromTheFileName(String name, int version, String description) {
        Migration m = Migration.of(name, "SELECT 1;");
        assertEquals(version, m.version());
        assertEquals(description, m.description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"init.sql", "V1_init.sql", "V__init.sql", "V1__init.SQL", "v1__init.sql", "V0__init.sql",
        "V1__.sql", "V1__in it.sql", "V1234567890__too_big.sql", "../V1__init.sql"})
    void refusesBadFileNamesNamingThem(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Migration.of(name, "SELECT 1;"));
        assertTrue(e.getMessage().contains(name) || e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void checksumFollowsTheContentNotTheLineEndings() {
        Migration lf = Migration.of("V1__a.sql", "CREATE TABLE a (id int);\nSELECT 1;\n");
        Migration crlf = Migration.of("V1__a.sql", "CREATE TABLE a (id int);\r\nSELECT 1;\r\n");
        Migration edited = Migration.of("V1__a.sql", "CREATE TABLE a (id bigint);\nSELECT 1;\n");
        assertEquals(lf.checksum(), crlf.checksum());
        assertNotEquals(lf.checksum(), edited.checksum());
        assertEquals(64, lf.checksum().length());
        assertEquals("V1__a.sql", lf.fileName());
    }
}
