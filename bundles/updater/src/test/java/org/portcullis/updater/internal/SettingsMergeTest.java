package org.portcullis.updater.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class SettingsMergeTest {

    @Test
    void theAdminsValuesStayNewKeysComeWithTheirDefaultsAndDroppedOnesAreNamed() {
        String admin = "# the port Postfix talks to\nport = 12345\naddress = 10.0.0.1\nlegacy.timeout = 30\n";
        String shipped = "# the port Postfix talks to\nport = 11340\naddress = 127.0.0.1\n\n# new: how long a session may idle\nidle.s = 300\n"
                + "paths = /a,\\\n  /b\n";
        SettingsMerge.Result r = SettingsMerge.merge(admin, shipped, null);
        assertEquals(List.of("idle.s", "paths"), r.added());
        assertEquals(List.of("legacy.timeout"), r.unknown());
        assertEquals(admin + "# new: how long a session may idle\nidle.s = 300\npaths = /a,\\\n  /b\n", r.text());
    }

    @Test
    void nothingNewChangesNothing() {
        SettingsMerge.Result r = SettingsMerge.merge("a=1\nb : 2\nc 3", "a = 9\nb = 8\nc = 7\n", null);
        assertNull(r.text());
        assertEquals(List.of(), r.unknown());
    }

    @Test
    void aKeyTheAdminRemovedStaysRemoved() {
        // the old version shipped 'address' and 'port'; the admin kept only 'port'; the new one adds 'idle.s'
        SettingsMerge.Result r = SettingsMerge.merge("port = 1\n", "address = 127.0.0.1\nport = 2\nidle.s = 300\n", "address = 127.0.0.1\nport = 2\n");
        assertEquals(List.of("idle.s"), r.added());
        assertEquals("port = 1\nidle.s = 300\n", r.text());
    }

    @Test
    void keysAreReadAsPropertiesFilesWriteThem() {
        assertEquals(List.of("a\\=b", "k", "x"), List.copyOf(SettingsMerge.entries("a\\=b = 1\n! comment\nk:v\n  x\n").keySet()));
    }
}
