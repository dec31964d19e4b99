package org.portcullis.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS/1.1 request from a chosen loopback address (127.0.0.x), which Java's HttpClient
 * cannot bind: what a client on another host looks like to the API's per-address lockout.
 */
final class LocalHttps {

    /** Status, headers (lower-case names) and body of one response. */
    record Response(int status, String headers, String body) {
        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    private LocalHttps() {
    }

    static Response request(SSLContext tls, String from, int port, String method, String path, String authorization, String json)
            throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), port,
                InetAddress.getByName(from), 0)) {
            socket.setSoTimeout(60_000);
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
            if (authorization != null) {
                head.append("Authorization: ").append(authorization).append("\r\n");
            }
            if (json != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String headers = split < 0 ? text : text.substring(0, split);
            String rest = split < 0 ? "" : text.substring(split + 4);
            int status = Integer.parseInt(headers.split(" ", 3)[1]);
            return new Response(status, headers, rest);
        }
    }
}
