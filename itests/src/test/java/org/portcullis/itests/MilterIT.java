package org.portcullis.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.Socket;

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
        try (MilterPeer mta = connect()) {
            MilterPeer.Reply negotiated = mta.negotiate();
            assertEquals('O', negotiated.code());
            java.util.List<MilterPeer.Reply> replies = mta.message();
            assertEquals("no scanner is installed here", "h X-Portcullis-Verdict\0unscanned", replies.get(0).toString());
            assertEquals('a', replies.get(replies.size() - 1).code());
        }
    }

    @Test
    public void maintenanceAnswersNewMailWith451() throws Exception {
        MaintenanceMode mode = awaitService(MaintenanceMode.class, null);
        mode.enable("itest", "itest");
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            mta.send('C', MilterPeer.cstr("client"), new byte[] {'4', 0, 25}, MilterPeer.cstr("192.0.2.1"));
            mta.send('M', MilterPeer.cstr("<a@example.com>"));
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
        String before = executeCommand("milter:scanners");
        assertTrue(before, before.matches("(?s).*itest\\s+\\|\\s+other\\s+\\|\\s+not used yet\\s+\\|\\s+0\\s+\\|\\s+0.*"));
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            assertTrue(mta.message().stream().anyMatch(r -> r.toString().equals("h X-Portcullis-Scanners\0itest=clean")));
        }
        String scanners = executeCommand("milter:scanners");
        assertTrue(scanners, scanners.matches("(?s).*itest\\s+\\|\\s+other\\s+\\|\\s+ok\\s+\\|\\s+1\\s+\\|\\s+0.*"));
        registration.unregister();
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            assertTrue(mta.message().stream().anyMatch(r -> r.toString().equals("h X-Portcullis-Scanners\0")));
        }
    }

    @Test
    public void statusCommandAndJmxShowTheFigures() throws Exception {
        try (MilterPeer mta = connect()) {
            mta.negotiate();
            mta.message();
        }
        String status = executeCommand("milter:status");
        assertTrue(status, status.contains("Address     : 127.0.0.1:"));
        // the native epoll fragment resolved and loaded inside the container (else it falls back to nio)
        assertTrue(status, status.matches("(?s).*Address     : 127\\.0\\.0\\.1:\\d+ \\(epoll\\).*"));
        assertTrue(status, status.matches("(?s).*Messages    : [1-9].*"));
        assertTrue(status, status.matches("(?s).*deliver [1-9].*"));
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

    private MilterPeer connect() throws Exception {
        int port = Integer.parseInt(String.valueOf(configAdmin.getConfiguration("org.portcullis.milter", null).getProperties().get("port")));
        long end = System.nanoTime() + DEADLINE.toNanos();
        IOException last = null;
        while (System.nanoTime() < end) {
            try {
                return new MilterPeer(new Socket("127.0.0.1", port));
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("milter not listening on port " + port + ": " + last);
    }
}
