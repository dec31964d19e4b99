package org.portcullis.itests;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The MTA side of the milter protocol, as far as the integration tests need it: frames out, replies in. */
final class MilterPeer implements AutoCloseable {

    /** One reply frame. */
    record Reply(char code, byte[] payload) {
        @Override
        public String toString() {
            int n = payload.length > 0 && payload[payload.length - 1] == 0 ? payload.length - 1 : payload.length;
            return code + " " + new String(payload, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    MilterPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    void send(char code, byte[]... parts) throws IOException {
        int length = 1;
        for (byte[] p : parts) {
            length += p.length;
        }
        out.writeInt(length);
        out.writeByte(code);
        for (byte[] p : parts) {
            out.write(p);
        }
        out.flush();
    }

    Reply read() throws IOException {
        int length = in.readInt();
        char code = (char) in.readUnsignedByte();
        byte[] payload = new byte[length - 1];
        in.readFully(payload);
        return new Reply(code, payload);
    }

    /** Whether the milter closed the connection (end of stream or reset) rather than answering. */
    boolean closedByMilter() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    Reply negotiate() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(6);
        d.writeInt(0x1ff);
        d.writeInt(0x1fffff);
        send('O', b.toByteArray());
        return read();
    }

    /** CONNECT, HELO, MAIL and RCPT (answered), DATA: the message is ready for headers. */
    void envelope() throws IOException {
        send('C', cstr("client.example.com"), new byte[] {'4', (byte) 0x9c, 0x40}, cstr("192.0.2.7"));
        send('H', cstr("client.example.com"));
        send('M', cstr("<a@example.com>"));
        expect('c');
        send('R', cstr("<b@example.net>"));
        expect('c');
        send('T');
    }

    /** End of message; the replies up to and including the final one. */
    List<Reply> end() throws IOException {
        send('E');
        List<Reply> replies = new ArrayList<>();
        Reply r;
        do {
            r = read();
            replies.add(r);
        } while (r.code == 'h' || r.code == 'p' || r.code == 'q');
        return replies;
    }

    /** A whole message as Postfix sends it after negotiation; returns the end-of-message replies. */
    List<Reply> message() throws IOException {
        envelope();
        send('L', cstr("Subject"), cstr("hello"));
        send('N');
        send('B', "Hello from the integration test.\r\n".getBytes(StandardCharsets.US_ASCII));
        return end();
    }

    private void expect(char code) throws IOException {
        Reply r = read();
        if (r.code != code) {
            throw new AssertionError("expected '" + code + "', got " + r);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
