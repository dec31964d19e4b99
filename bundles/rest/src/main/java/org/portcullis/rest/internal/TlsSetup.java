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
 * then Pax Web is set to serve HTTPS with it and plain HTTP is switched off. The ACME issue will
 * put its certificate in the same place. An admin's own keystore, set in
 * {@code etc/org.ops4j.pax.web.cfg}, is left alone.
 */
@Component(immediate = true)
public class TlsSetup {

    static final String PAX_WEB = "org.ops4j.pax.web";
    static final String KEYSTORE = "org.ops4j.pax.web.ssl.keystore";
    private static final Duration VALIDITY = Duration.ofDays(825);
    private static final Logger LOG = LoggerFactory.getLogger(TlsSetup.class);

    @Reference
    private ConfigurationAdmin configAdmin;

    @Activate
    void activate() {
        Path dir = Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "tls");
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
            props.put(KEYSTORE, keystore.toString());
            props.put("org.ops4j.pax.web.ssl.keystore.type", "PKCS12");
            props.put("org.ops4j.pax.web.ssl.keystore.password", password);
            props.put("org.ops4j.pax.web.ssl.key.password", password);
            props.put("org.ops4j.pax.web.ssl.key.alias", "portcullis");
            props.put("org.osgi.service.http.secure.enabled", "true");
            props.put("org.osgi.service.http.enabled", "false");
            if (props.get("org.osgi.service.http.port.secure") == null) {
                props.put("org.osgi.service.http.port.secure", "8443");
            }
            web.update(props);
            LOG.info("HTTPS on port {} with the certificate in {}; plain HTTP is off", props.get("org.osgi.service.http.port.secure"), keystore);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            LOG.error("Cannot set up HTTPS ({}); the API stays on the configured HTTP port only", e.getMessage());
        }
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
        store.setKeyEntry("portcullis", pair.getPrivate(), password.toCharArray(), new X509Certificate[] {cert});
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
