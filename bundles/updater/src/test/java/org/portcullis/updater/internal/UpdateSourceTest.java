package org.portcullis.updater.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.portcullis.updater.Updates.Offer;
import org.portcullis.updater.pkg.PackageException;

class UpdateSourceTest {

    @TempDir
    Path dir;

    @Test
    void theIndexNamesPackagesAndABadLineIsNamedByItsNumber() {
        URI base = URI.create("https://updates.example/portcullis/");
        List<Offer> offers = UpdateSource.parse("# Portcullis updates\nportcullis-update-0.1.0-SNAPSHOT-0.1.1.pcup 12345\n\n"
                + "portcullis-update-0.1.1-0.2.0-rc1.pcup\n", base);
        assertEquals(List.of(new Offer("0.1.0-SNAPSHOT", "0.1.1", "portcullis-update-0.1.0-SNAPSHOT-0.1.1.pcup", 12345,
                URI.create("https://updates.example/portcullis/portcullis-update-0.1.0-SNAPSHOT-0.1.1.pcup")),
                new Offer("0.1.1", "0.2.0-rc1", "portcullis-update-0.1.1-0.2.0-rc1.pcup", -1,
                        URI.create("https://updates.example/portcullis/portcullis-update-0.1.1-0.2.0-rc1.pcup"))), offers);
        PackageException e = assertThrows(PackageException.class, () -> UpdateSource.parse("portcullis-update-0.1.0-0.1.1.pcup\n../../etc/passwd\n", base));
        assertEquals("the update index, line 2: '../../etc/passwd' is not 'portcullis-update-<from>-<to>.pcup [size]'", e.getMessage());
    }

    @Test
    void onlyHttpsOrFileAndAUrlIsNeeded() {
        assertEquals("update.url 'http://updates.example/' must be https: or file:",
                assertThrows(PackageException.class, () -> UpdateSource.at("http://updates.example/")).getMessage());
        assertTrue(assertThrows(PackageException.class, () -> UpdateSource.at(" ")).getMessage().startsWith("no update URL is configured"));
        assertEquals(URI.create("https://u.example/p/"), UpdateSource.at("https://u.example/p").base());
    }

    @Test
    void aPartialDownloadGoesOnFromWhereItStopped() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(content);
        Path served = Files.createDirectories(dir.resolve("served"));
        Files.write(served.resolve("portcullis-update-0.1.0-0.1.1.pcup"), content);
        Files.writeString(served.resolve("index"), "portcullis-update-0.1.0-0.1.1.pcup " + content.length + "\n");
        UpdateSource source = UpdateSource.at(served.toUri().toString());
        Offer offer = source.index().get(0);
        Path part = dir.resolve("partial/" + offer.name() + ".part");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(content, 1_000_000)); // what an interrupted download left
        List<Long> seen = new ArrayList<>();
        source.download(offer, part, (done, total) -> {
            assertEquals(content.length, total);
            seen.add(done);
        });
        assertArrayEquals(content, Files.readAllBytes(part));
        assertTrue(seen.get(0) > 1_000_000 && seen.get(0) <= 1_000_000 + (1 << 20) + 65536, "went on from the part: " + seen);
        assertEquals(content.length, seen.get(seen.size() - 1));
    }
}
