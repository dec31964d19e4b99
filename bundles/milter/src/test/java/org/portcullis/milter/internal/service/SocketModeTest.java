package org.portcullis.milter.internal.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;

/** The unix socket's mode as an admin writes it in the configuration. */
class SocketModeTest {

    @Test
    void octalModesBecomePermissions() {
        assertEquals("rw-rw----", PosixFilePermissions.toString(MilterService.socketMode("0660")));
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(MilterService.socketMode(" 666 ")));
        assertEquals("rwxr-x--x", PosixFilePermissions.toString(MilterService.socketMode("0751")));
    }

    @Test
    void anythingElseIsRefusedNamingTheKey() {
        for (String bad : new String[] {"rw-rw----", "0860", "66", "01660", ""}) {
            assertEquals("socket.mode '" + bad + "' is not an octal mode such as 0660",
                    assertThrows(IllegalArgumentException.class, () -> MilterService.socketMode(bad)).getMessage());
        }
    }
}
