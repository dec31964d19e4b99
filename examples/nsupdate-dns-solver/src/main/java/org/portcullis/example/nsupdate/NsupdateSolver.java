package org.portcullis.example.nsupdate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.acme.DnsChallengeSolver;

/**
 * Publishes ACME DNS-01 records by RFC 2136 dynamic update: {@code nsupdate} signs each update
 * with the configured TSIG key and sends it to the configured server. Registered only once
 * configured, as {@code nsupdate} ({@link DnsChallengeSolver#NAME}; a {@code portcullis.dns.solver}
 * line in the configuration renames it).
 */
@Component(configurationPid = "org.portcullis.example.nsupdate", configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = DnsChallengeSolver.NAME + "=nsupdate")
@Designate(ocd = NsupdateConfig.class)
public class NsupdateSolver implements DnsChallengeSolver {

    private static final String NAME = "[A-Za-z0-9_.-]{1,253}";

    private List<String> command;
    private String server;
    private int port;
    private String zone;
    private int ttl;
    private int propagation;

    @Activate
    void activate(NsupdateConfig config) {
        if (config.server() == null || config.server().isBlank() || !config.server().strip().matches("[A-Za-z0-9.:-]+")) {
            throw new IllegalArgumentException("server: '" + config.server() + "' is not a host name or address");
        }
        Path key = Path.of(config.key_file() == null ? "" : config.key_file().strip());
        if (!Files.isReadable(key)) {
            throw new IllegalArgumentException("key.file: " + key + " cannot be read");
        }
        String z = config.zone() == null ? "" : config.zone().strip();
        if (!z.isEmpty() && !z.matches(NAME)) {
            throw new IllegalArgumentException("zone: '" + z + "' is not a DNS name");
        }
        command = List.of(config.nsupdate().strip(), "-k", key.toString(), "-t", "20");
        server = config.server().strip();
        port = config.port();
        zone = z;
        ttl = Math.max(1, config.ttl());
        propagation = Math.max(0, config.propagation_seconds());
    }

    @Override
    public void present(String name, String value) throws Exception {
        update("update add " + check(name) + " " + ttl + " TXT \"" + checkValue(value) + "\"");
        if (propagation > 0) {
            TimeUnit.SECONDS.sleep(propagation);
        }
    }

    @Override
    public void cleanUp(String name, String value) throws Exception {
        update("update delete " + check(name) + " TXT \"" + checkValue(value) + "\"");
    }

    /** The nsupdate script for one change. */
    String script(String change) {
        return "server " + server + " " + port + "\n" + (zone.isEmpty() ? "" : "zone " + zone + "\n") + change + "\nsend\n";
    }

    private void update(String change) throws IOException, InterruptedException {
        Path output = Files.createTempFile("portcullis-nsupdate-", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(script(change).getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // nsupdate ended before reading its script: its exit status and output below say why
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IOException("nsupdate to " + server + ":" + port + " did not end within 60 s");
            }
            if (p.exitValue() != 0) {
                String out = Files.readString(output, StandardCharsets.UTF_8).strip();
                String last = out.isEmpty() ? "exit " + p.exitValue() : out.substring(out.lastIndexOf('\n') + 1);
                throw new IOException("nsupdate to " + server + ":" + port + " failed: " + last);
            }
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    /** A record name, checked so nothing else reaches the script. */
    static String check(String name) {
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("not a DNS name: '" + name + "'");
        }
        return name;
    }

    /** A DNS-01 value is base64url: nothing else reaches the script. */
    static String checkValue(String value) {
        if (value == null || !value.matches("[A-Za-z0-9_-]{1,255}")) {
            throw new IllegalArgumentException("not a DNS-01 value: '" + value + "'");
        }
        return value;
    }
}
