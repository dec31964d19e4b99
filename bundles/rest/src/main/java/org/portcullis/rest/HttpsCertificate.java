package org.portcullis.rest;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The certificate the HTTPS API (and the web console) serves, replaced while it runs: the ACME
 * bundle installs what it was issued through this service. An installation rewrites the
 * keystore and makes the running HTTPS connector read it again; connections already open keep
 * their session, new handshakes get the new certificate. The old keystore is kept until a
 * handshake with the connector has shown the new certificate served; otherwise it is put back.
 */
@ProviderType
public interface HttpsCertificate {

    /**
     * Installs {@code key} with {@code chain} (leaf first) and returns once a handshake with the
     * running HTTPS connector presented the new leaf.
     *
     * @throws IOException in one line when the key does not match the leaf, the leaf is not valid
     *         now, HTTPS uses an admin's own keystore, or the connector did not present the new
     *         leaf (the previous keystore is then back in place and served)
     */
    void install(PrivateKey key, List<X509Certificate> chain) throws IOException;
}
