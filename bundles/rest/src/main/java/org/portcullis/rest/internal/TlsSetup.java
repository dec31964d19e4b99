package org.portcullis.rest.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.core.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS for the API and the web console. At first boot a self-signed certificate (EC P-256,
 * SHA-256, 825 days, names: this host, {@code localhost}, {@code 127.0.0.1}) is generated into
 * {@code data/portcullis/tls/keystore.p12} (mode 0600, random store password beside it, 0600);
 * then Pax Web is set to serve HTTPS with it and plain HTTP is switched off. The ACME bundle
 * puts its certificates in the same keystore ({@link HttpsKeystore}). An admin's own keystore, set in
 * {@code etc/org.ops4j.pax.web.cfg}, is left alone.
 */
@Component(immediate = true)
public class TlsSetup {

    static final String PAX_WEB = "org.ops4j.pax.web";
    static final String KEYSTORE = "org.ops4j.pax.web.ssl.keystore";
    static final String ALIAS = "portcullis";
    private static final Duration VALIDITY = Duration.ofDays(825);
    private static final Logger LOG = LoggerFactory.getLogger(TlsSetup.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    @Activate
    void activate() {
        Path dir = directory();
        try {
            Configuration web = configAdmin.getConfiguration(PAX_WEB, null);
            Dictionary<String, Object> props = web.getProperties() == null ? new Hashtable<>() : web.getProperties();
            Object configured = props.get(KEYSTORE);
            Path keystore = dir.resolve("keystore.p12");
            if (configured != null && !configured.toString().equals(keystore.toString())) {
                LOG.info("HTTPS uses the admin's keystore {}", configured);
                return;
            }
            String password = ensureKeystore(dir, keystore);
            // Pax Web reads the keystore password from its configuration file: only the service user may read it
            Path webCfg = Paths.get(System.getProperty("karaf.etc", "etc"), PAX_WEB + ".cfg");
            if (AtomicFiles.restrictToOwner(webCfg)) {
                LOG.info("{} holds the keystore password: made it readable by its owner only (0600)", webCfg);
            }
            if (keystore.toString().equals(configured) && "true".equals(String.valueOf(props.get("org.osgi.service.http.secure.enabled")))) {
                return;
            }
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put(KEYSTORE, keystore.toString());
            settings.put("org.ops4j.pax.web.ssl.keystore.type", "PKCS12");
            settings.put("org.ops4j.pax.web.ssl.keystore.password", password);
            settings.put("org.ops4j.pax.web.ssl.key.password", password);
            settings.put("org.ops4j.pax.web.ssl.key.alias", ALIAS);
            settings.put("org.osgi.service.http.secure.enabled", "true");
            settings.put("org.osgi.service.http.enabled", "false");
            if (props.get("org.osgi.service.http.port.secure") == null) {
                settings.put("org.osgi.service.http.port.secure", "8443");
            }
            // The file is written whole and renamed into place; Felix fileinstall then loads it. Updating the
            // configuration instead made fileinstall write the file while its own poller read it back
            // half-written (empty): HTTPS stayed off and the file was left with 0 bytes.
            writeSettings(webCfg, settings);
            LOG.info("HTTPS on port {} with the certificate in {}; plain HTTP is off", settings.getOrDefault("org.osgi.service.http.port.secure",
                    String.valueOf(props.get("org.osgi.service.http.port.secure"))), keystore);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            LOG.error("Cannot set up HTTPS ({}); the API stays on the configured HTTP port only", e.getMessage());
        }
    }

    /**
     * Sets {@code settings} in a configuration file of {@code key = value} lines: a line that sets one
     * of them (commented out or not) is replaced, the others are kept, the rest appended; the new file
     * (mode 0600) replaces the old by rename, so a reader sees the old file or the new one, whole.
     */
    static void writeSettings(Path cfg, Map<String, String> settings) throws IOException {
        List<String> lines = Files.exists(cfg) ? Files.readAllLines(cfg, StandardCharsets.ISO_8859_1) : List.of();
        Map<String, String> left = new LinkedHashMap<>(settings);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            String key = settingKey(line);
            if (key != null && left.containsKey(key)) {
                out.append(key).append(" = ").append(left.remove(key)).append('\n');
            } else if (key == null || !settings.containsKey(key)) {
                out.append(line).append('\n');
            }
        }
        left.forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
        byte[] bytes = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        AtomicFiles.writePrivate(cfg, o -> o.write(bytes));
    }

    /** The key a line sets, commented out ({@code #key = …}) or not; null for other lines. */
    private static String settingKey(String line) {
        String t = line.strip();
        if (t.startsWith("#")) {
            t = t.substring(1).strip();
        }
        int eq = t.indexOf('=');
        if (eq <= 0) {
            return null;
        }
        String key = t.substring(0, eq).strip();
        return key.matches("[A-Za-z0-9._-]+") ? key : null;
    }

    /** Where the generated keystore and its password are. */
    static Path directory() {
        return Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "tls");
    }

    /** Creates the keystore when missing; returns its password. */
    static String ensureKeystore(Path dir, Path keystore) throws IOException, GeneralSecurityException, OperatorCreationException {
        Path passwordFile = dir.resolve("keystore.password");
        if (Files.exists(keystore) && Files.exists(passwordFile)) {
            return Files.readString(passwordFile, StandardCharsets.US_ASCII).strip();
        }
        Files.createDirectories(dir);
        byte[] raw = new byte[24];
        SecureRandom random = new SecureRandom();
        random.nextBytes(raw);
        String password = java.util.HexFormat.of().formatHex(raw);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = generator.generateKeyPair();
        X509Certificate cert = selfSigned(pair, hostName(), random);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(), new X509Certificate[] {cert});
        AtomicFiles.writePrivate(passwordFile, out -> out.write((password + "\n").getBytes(StandardCharsets.US_ASCII)));
        AtomicFiles.writePrivate(keystore, out -> {
            try {
                store.store(out, password.toCharArray());
            } catch (GeneralSecurityException e) {
                throw new IOException(e.getMessage(), e);
            }
        });
        LOG.info("First boot: generated a self-signed certificate for {} in {}", hostName(), keystore);
        return password;
    }

    static X509Certificate selfSigned(KeyPair pair, String host, SecureRandom random) throws GeneralSecurityException, IOException,
            OperatorCreationException {
        X500Name name = new X500Name("CN=" + host + ",O=Portcullis");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, random).abs(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, host), new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    private static String hostName() {
        try {
            return Objects.requireNonNullElse(InetAddress.getLocalHost().getHostName(), "localhost");
        } catch (IOException e) {
            return "localhost";
        }
    }
}
