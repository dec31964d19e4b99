package org.portcullis.scanner.clamav.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where clamd listens: {@code host:port} for TCP, or {@code unix:/path/to/clamd.sock}.
 *
 * @param text the address as configured, for messages
 * @param socket the address to connect to
 */
record ClamdAddress(String text, SocketAddress socket) {

    static ClamdAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.startsWith("unix:")) {
            String path = s.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("clamd address '" + s + "' has no socket path after 'unix:'");
            }
            return new ClamdAddress(s, UnixDomainSocketAddress.of(Path.of(path)));
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("clamd address '" + s + "' is neither host:port nor unix:/path");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("clamd address '" + s + "' has a port that is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("clamd address '" + s + "' has port " + port + " outside 1-65535");
        }
        return new ClamdAddress(s, InetSocketAddress.createUnresolved(s.substring(0, colon), port));
    }

    StandardProtocolFamily family() {
        return socket instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET;
    }

    /** A resolved address to connect to (host names are resolved at each connection). */
    SocketAddress connectable() {
        if (socket instanceof InetSocketAddress inet && inet.isUnresolved()) {
            return new InetSocketAddress(inet.getHostString(), inet.getPort());
        }
        return socket;
    }
}
