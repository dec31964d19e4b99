package org.portcullis.acme.internal;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates for the tests. */
final class TestCertificates {

    private TestCertificates() {
    }

    static List<X509Certificate> selfSigned(KeyPair key, String name) throws Exception {
        return selfSigned(key, name, Instant.now());
    }

    /** Valid from a minute before {@code now} for two days, for {@code name} (and {@code ip}, when given). */
    static List<X509Certificate> selfSigned(KeyPair key, String name, Instant now, String... ip) throws Exception {
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(2))), subject, key.getPublic());
        GeneralName[] names = new GeneralName[1 + ip.length];
        names[0] = new GeneralName(GeneralName.dNSName, name);
        for (int i = 0; i < ip.length; i++) {
            names[i + 1] = new GeneralName(GeneralName.iPAddress, ip[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        return List.of(new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))));
    }
}
