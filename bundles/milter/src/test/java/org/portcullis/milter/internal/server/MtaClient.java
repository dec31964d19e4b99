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

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public MtaClient(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
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
        socket.close();
    }
}
