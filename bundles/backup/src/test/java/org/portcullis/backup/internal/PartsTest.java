package org.portcullis.backup.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.portcullis.backup.BackupException;

/** Named parts inside the payload: streamed in and out, skipped when unread, damage refused. */
class PartsTest {

    @Test
    void partsOfAnySizeComeBackInOrderAndUnreadOnesAreSkipped() throws Exception {
        Random r = new Random(1);
        byte[] big = new byte[3 * PartsWriter.CHUNK + 17];
        r.nextBytes(big);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        try (PartsWriter w = new PartsWriter(payload)) {
            try (OutputStream p = w.part("schema/auth")) {
                p.write(big);
            }
            try (OutputStream p = w.part("etc/org.portcullis.lists.cfg")) {
                p.write("x = 1\n".getBytes());
            }
            w.part("empty").close();
            try (OutputStream p = w.part("schema/lists")) {
                p.write(big, 0, 10);
            }
        }
        PartsReader in = new PartsReader(new ByteArrayInputStream(payload.toByteArray()));
        assertEquals("schema/auth", in.next());
        assertArrayEquals(big, in.stream().readAllBytes());
        assertEquals("etc/org.portcullis.lists.cfg", in.next()); // read only partly: the rest is skipped
        assertEquals('x', in.stream().read());
        assertEquals("empty", in.next());
        assertEquals(0, in.stream().readAllBytes().length);
        assertEquals("schema/lists", in.next());
        assertArrayEquals(Arrays.copyOf(big, 10), in.stream().readAllBytes());
        assertNull(in.next());
    }

    @Test
    void aPayloadCutShortOrWithABadChunkIsRefused() throws Exception {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        try (PartsWriter w = new PartsWriter(payload)) {
            try (OutputStream p = w.part("schema/auth")) {
                p.write(new byte[100]);
            }
        }
        byte[] bytes = payload.toByteArray();
        PartsReader cut = new PartsReader(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 6)));
        assertEquals("schema/auth", cut.next());
        assertEquals("backup payload ends inside a part", assertThrows(BackupException.class, () -> cut.stream().readAllBytes()).getMessage());
        byte[] bad = bytes.clone();
        bad[2 + "schema/auth".length()] = 0x7f; // chunk length far over the limit
        PartsReader damaged = new PartsReader(new ByteArrayInputStream(bad));
        damaged.next();
        assertThrows(BackupException.class, () -> damaged.stream().readAllBytes());
        PartsReader noEnd = new PartsReader(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 2)));
        noEnd.next();
        noEnd.stream().readAllBytes();
        assertEquals("backup payload ends without its end mark", assertThrows(BackupException.class, noEnd::next).getMessage());
    }
}
