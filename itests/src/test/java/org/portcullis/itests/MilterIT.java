package org.portcullis.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.portcullis.core.MaintenanceMode;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.ScanResult;

/** The milter as the distribution runs it, spoken to over TCP as Postfix would. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MilterIT extends PortcullisTestSupport {

    @Inject
    private ConfigurationAdmin configAdmin;

    @Test
    public void negotiatesAndAnswersAMessageWithVerdictHeaders() throws Exception {
        try (Mta mta = connect()) {
            Reply negotiated = mta.negotiate();
            assertEquals('O', negotiated.code);
            List<Reply> replies = mta.message();
            assertEquals("h X-Portcullis-Verdict\0clean", replies.get(0).toString());
            assertEquals('a', replies.get(replies.size() - 1).code);
        }
    }

    @Test
    public void maintenanceAnswersNewMailWith451() throws Exception {
        MaintenanceMode mode = awaitService(MaintenanceMode.class, null);
        mode.enable("itest", "itest");
        try (Mta mta = connect()) {
            mta.negotiate();
            mta.send('C', cstr("client"), new byte[] {'4', 0, 25}, cstr("192.0.2.1"));
            mta.send('M', cstr("<a@example.com>"));
            assertEquals("y 451 4.3.2 Service in maintenance, please try again later", mta.read().toString());
        } finally {
            mode.disable();
        }
    }

    @Test
    public void aScannerRegisteredAtRunTimeIsUsedUntilItGoes() throws Exception {
        ServiceRegistration<MessageScanner> registration = bundleContext.registerService(MessageScanner.class, new MessageScanner() {
            public String name() {
                return "itest";
            }

            public ScanResult scan(org.portcullis.scanner.Message m) {
                return ScanResult.clean();
            }
        }, null);
        try (Mta mta = connect()) {
            mta.negotiate();
            assertTrue(mta.message().stream().anyMatch(r -> r.toString().equals("h X-Portcullis-Scanners\0itest=clean")));
        }
        String scanners = executeCommand("milter:scanners");
        assertTrue(scanners, scanners.matches("(?s).*itest\\s+\\|\\s+ok\\s+\\|\\s+1\\s+\\|\\s+0.*"));
        registration.unregister();
        try (Mta mta = connect()) {
            mta.negotiate();
            assertTrue(mta.message().stream().anyMatch(r -> r.toString().equals("h X-Portcullis-Scanners\0")));
        }
    }

    @Test
    public void statusCommandAndJmxShowTheFigures() throws Exception {
        try (Mta mta = connect()) {
            mta.negotiate();
            mta.message();
        }
        String status = executeCommand("milter:status");
        assertTrue(status, status.contains("Address     : 127.0.0.1:"));
        // the native epoll fragment resolved and loaded inside the container (else it falls back to nio)
        assertTrue(status, status.matches("(?s).*Address     : 127\\.0\\.0\\.1:\\d+ \\(epoll\\).*"));
        assertTrue(status, status.matches("(?s).*Messages    : [1-9].*"));
        assertTrue(status, status.matches("(?s).*accepted [1-9].*"));
        assertTrue(status, status.contains("Latency     : p50 "));
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName("org.portcullis:type=Milter");
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!jmx.isRegistered(name) && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertTrue(((Long) jmx.getAttribute(name, "Messages")) >= 1);
        assertTrue(((Long) jmx.getAttribute(name, "Accepted")) >= 1);
    }

    private Mta connect() throws Exception {
        int port = Integer.parseInt(String.valueOf(configAdmin.getConfiguration("org.portcullis.milter", null).getProperties().get("port")));
        long end = System.nanoTime() + DEADLINE.toNanos();
        IOException last = null;
        while (System.nanoTime() < end) {
            try {
                return new Mta(new Socket("127.0.0.1", port));
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("milter not listening on port " + port + ": " + last);
    }

    private static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** One reply frame. */
    private record Reply(char code, byte[] payload) {
        @Override
        public String toString() {
            int n = payload.length > 0 && payload[payload.length - 1] == 0 ? payload.length - 1 : payload.length;
            return code + " " + new String(payload, 0, n, StandardCharsets.ISO_8859_1);
        }
    }

    /** The MTA side, as far as these tests need it. */
    private static final class Mta implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;

        Mta(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
        }

        void send(char code, byte[]... parts) throws IOException {
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                payload.writeBytes(p);
            }
            out.writeInt(payload.size() + 1);
            out.writeByte(code);
            out.write(payload.toByteArray());
            out.flush();
        }

        Reply read() throws IOException {
            int length = in.readInt();
            char code = (char) in.readUnsignedByte();
            byte[] payload = new byte[length - 1];
            in.readFully(payload);
            return new Reply(code, payload);
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

        /** A whole message as Postfix sends it after negotiation; returns the end-of-message replies. */
        List<Reply> message() throws IOException {
            send('C', cstr("client.example.com"), new byte[] {'4', (byte) 0x9c, 0x40}, cstr("192.0.2.7"));
            send('H', cstr("client.example.com"));
            send('M', cstr("<a@example.com>"));
            assertEquals('c', read().code);
            send('R', cstr("<b@example.net>"));
            assertEquals('c', read().code);
            send('T');
            send('L', cstr("Subject"), cstr("hello"));
            send('N');
            send('B', "Hello from the integration test.\r\n".getBytes(StandardCharsets.US_ASCII));
            send('E');
            List<Reply> replies = new ArrayList<>();
            Reply r;
            do {
                r = read();
                replies.add(r);
            } while (r.code == 'h' || r.code == 'p' || r.code == 'q');
            return replies;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
