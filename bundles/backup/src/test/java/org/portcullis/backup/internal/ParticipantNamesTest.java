package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Field;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.portcullis.backup.BackupParticipant;

/** A participant whose parts could not be told apart from others' is refused when it registers. */
class ParticipantNamesTest {

    private static BackupParticipant named(String name) {
        return new BackupParticipant() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void backup(Output out) {
            }
        };
    }

    @Test
    void theBackupsOwnPartNamesBadNamesAndTakenNamesAreRefused() {
        BackupParticipant acme = named("acme");
        assertNull(BackupService.refusal(acme, List.of()));
        assertEquals("name 'database' is the backup's own database part", BackupService.refusal(named("database"), List.of()));
        assertEquals("name 'config' is the backup's own config part", BackupService.refusal(named("config"), List.of()));
        assertEquals("name 'Acme/x' is not [a-z0-9-]+", BackupService.refusal(named("Acme/x"), List.of()));
        assertEquals("name 'null' is not [a-z0-9-]+", BackupService.refusal(named(null), List.of()));
        BackupParticipant twin = named("acme");
        assertEquals("name 'acme' is taken by " + acme.getClass().getName(), BackupService.refusal(twin, List.of(acme)));
        assertNull(BackupService.refusal(acme, List.of(acme)), "itself is no clash");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRefusedParticipantIsNotAskedToBackUp() throws Exception {
        BackupService service = new BackupService();
        BackupParticipant acme = named("acme");
        service.addParticipant(acme);
        service.addParticipant(named("acme"));
        service.addParticipant(named("database"));
        Field f = BackupService.class.getDeclaredField("participants");
        f.setAccessible(true);
        assertEquals(List.of(acme), f.get(service));
    }
}
