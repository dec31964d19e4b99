package org.portcullis.core;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate a TLS server presents, read to be compared with the one it should present (a
 * certificate just installed). The handshake accepts any chain: nothing is sent over it and the
 * result is only compared, so it must never carry data or decide trust.
 */
public final class PresentedCertificate {

    private PresentedCertificate() {
    }

    /**
     * Starts TLS over {@code connected} (a plain socket, connected; after STARTTLS for SMTP) and
     * returns the leaf the server presents; closes the TLS layer and with it the socket.
     */
    public static X509Certificate over(Socket connected, String host, int port) throws IOException {
        return over(connected, host, port, null);
    }

    /**
     * The same, then writes {@code then} (a request, when a server must see one) over the TLS
     * layer and reads the answer to its end; the answer is not looked at.
     */
    public static X509Certificate over(Socket connected, String host, int port, byte[] then) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyChain()}, null);
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(connected, host, port, true)) {
                tls.startHandshake();
                X509Certificate leaf = (X509Certificate) tls.getSession().getPeerCertificates()[0];
                if (then != null) {
                    tls.getOutputStream().write(then);
                    tls.getOutputStream().flush();
                    tls.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                }
                return leaf;
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS here: " + e.getMessage(), e);
        }
    }

    /** Accepts any chain: used only to read the presented certificate. */
    private static final class AnyChain implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // not a server
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // read, then compared by the caller; never trusted
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
