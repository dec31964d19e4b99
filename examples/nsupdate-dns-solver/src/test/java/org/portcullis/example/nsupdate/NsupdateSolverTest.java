package org.portcullis.example.nsupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NsupdateSolverTest {

    @TempDir
    Path dir;

    private NsupdateSolver solver(String server, String zone, String nsupdate) throws IOException {
        Path key = dir.resolve("key");
        Files.writeString(key, "key \"k\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n");
        NsupdateSolver s = new NsupdateSolver();
        s.activate(new NsupdateConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return NsupdateConfig.class;
            }

            @Override
            public String server() {
                return server;
            }

            @Override
            public int port() {
                return 5353;
            }

            @Override
            public String zone() {
                return zone;
            }

            @Override
            public String key_file() {
                return key.toString();
            }

            @Override
            public int ttl() {
                return 30;
            }

            @Override
            public int propagation_seconds() {
                return 0;
            }

            @Override
            public String nsupdate() {
                return nsupdate;
            }
        });
        return s;
    }

    @Test
    void oneChangePerScriptToTheConfiguredServerAndZone() throws Exception {
        assertEquals("server 192.0.2.53 5353\nzone example.com\nupdate add _acme-challenge.mail.example.com. 30 TXT \"abc\"\nsend\n",
                solver("192.0.2.53", "example.com", "/usr/bin/nsupdate").script("update add _acme-challenge.mail.example.com. 30 TXT \"abc\""));
        assertEquals("server ns1.example.com 5353\nx\nsend\n", solver("ns1.example.com", "", "/usr/bin/nsupdate").script("x"));
    }

    @Test
    void nothingButANameAndABase64urlValueReachesTheScript() throws Exception {
        Path fake = dir.resolve("accepting");
        Path got = dir.resolve("script");
        Files.writeString(fake, "#!/bin/sh\ncat > '" + got + "'\n");
        fake.toFile().setExecutable(true);
        NsupdateSolver s = solver("192.0.2.53", "", fake.toString());
        s.present("_acme-challenge.mail.example.com.", "AbC-_09");
        assertEquals("server 192.0.2.53 5353\nupdate add _acme-challenge.mail.example.com. 30 TXT \"AbC-_09\"\nsend\n", Files.readString(got));
        for (String name : new String[] {"a.example.com\nupdate delete example.com", "a b", "", null}) {
            assertThrows(IllegalArgumentException.class, () -> s.present(name, "AbC"), String.valueOf(name));
        }
        for (String value : new String[] {"a\" \"b", "a\nsend", "a b", ""}) {
            assertThrows(IllegalArgumentException.class, () -> s.present("_acme-challenge.example.com.", value), value);
        }
    }

    @Test
    void aRefusedUpdateSaysNsupdatesLastLine() throws Exception {
        Path fake = dir.resolve("nsupdate");
        Files.writeString(fake, "#!/bin/sh\necho 'update failed: REFUSED' >&2\nexit 2\n"); // without reading its script
        fake.toFile().setExecutable(true);
        Exception e = assertThrows(IOException.class, () -> solver("192.0.2.53", "", fake.toString()).present("_acme-challenge.example.com.", "v"));
        assertEquals("nsupdate to 192.0.2.53:5353 failed: update failed: REFUSED", e.getMessage());
    }

    @Test
    void aBadConfigurationIsRefusedAtActivation() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> solver("bad server;", "", "/usr/bin/nsupdate")).getMessage()
                .startsWith("server: 'bad server;'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> solver("192.0.2.53", "bad zone", "/usr/bin/nsupdate")).getMessage()
                .startsWith("zone: 'bad zone'"));
    }
}
