package org.portcullis.milter.internal.server;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The MTA side of the milter protocol, for tests: a blocking client that sends frames and reads
 * replies. (The load generator under bench/ will grow from the same idea.)
 */
public final class MtaClient implements AutoCloseable {

    /** One reply: its code and payload. */
    public record Reply(char code, byte[] payload) {
        public String text() {
            return new String(payload, 0, Math.max(0, payload.length - 1), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private final java.io.Closeable connection;
    private final DataInputStream in;
    private final OutputStream out;

    public MtaClient(InetSocketAddress server) throws IOException {
        Socket socket = new Socket(server.getAddress(), server.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        connection = socket;
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Over a unix socket, as Postfix with {@code smtpd_milters = unix:PATH} (no read timeout). */
    public MtaClient(java.nio.file.Path socketFile) throws IOException {
        java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socketFile));
        connection = channel;
        in = new DataInputStream(java.nio.channels.Channels.newInputStream(channel));
        out = java.nio.channels.Channels.newOutputStream(channel);
    }

    public void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    public Reply read() throws IOException {
        int length = in.readInt();
        char code = (char) in.readUnsignedByte();
        byte[] payload = new byte[length - 1];
        in.readFully(payload);
        return new Reply(code, payload);
    }

    /** Sends a frame and returns the next reply's code. */
    public char call(byte[] frame) throws IOException {
        send(frame);
        return read().code();
    }

    /** Whether the server closed the connection (read gives EOF within the socket timeout). */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                read();
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
