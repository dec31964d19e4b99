package org.portcullis.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a milter as Postfix would, as fast as it answers: negotiation, connect, HELO, MAIL,
 * RCPT, DATA, headers, the body in 64 KiB chunks, end of message, for {@code --count} messages
 * over {@code --concurrency} connections, each message on a new milter connection (as Postfix
 * does per SMTP session) or, with {@code --reuse}, many messages per connection. Prints one line:
 * messages, seconds, msg/s, MiB/s (body bytes), p50 and p99 latency (MAIL to verdict), errors. Only
 * an accept counts as success; with {@code --expect-header}, one of the added headers must also
 * contain that text (to prove a scanner was in the path).
 *
 * <pre>java -cp bench/target/classes org.portcullis.bench.MilterLoad --milter 127.0.0.1:11340 --size 4096 --count 2000 --concurrency 20</pre>
 */
public final class MilterLoad {

    private static final int CHUNK = 65535;
    private static final int NO_REPLY_BITS_OFFERED = 0x1fffff;

    private final String host;
    private final int port;
    private final int size;
    private final boolean reuse;
    private final String expectHeader;
    private final byte[] body;

    /** With {@code --attachment}: the message is MIME, a text part and a random binary attachment in base64. */
    private final boolean attachment;

    private MilterLoad(String host, int port, int size, boolean reuse, String expectHeader, boolean attachment) {
        this.attachment = attachment;
        this.host = host;
        this.port = port;
        this.size = size;
        this.reuse = reuse;
        this.expectHeader = expectHeader;
        this.body = attachment ? mime(size) : body(size);
    }

    public static void main(String[] args) throws Exception {
        List<String> milters = new ArrayList<>();
        int size = 4096;
        int count = 2000;
        int concurrency = 20;
        boolean reuse = false;
        String expectHeader = null;
        boolean attachment = false;
        String label = "";
        int runs = 1;
        int warmups = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--milter" -> milters.add(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--reuse" -> reuse = true;
                case "--expect-header" -> expectHeader = args[++i];
                case "--attachment" -> attachment = true;
                case "--label" -> label = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--warmups" -> warmups = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --milter [label=]host:port (repeatable) --size N --count N --concurrency N [--reuse] [--runs N]"
                        + " [--warmups N] [--label text] [--expect-header text] [--attachment])");
            }
        }
        if (milters.isEmpty()) {
            milters.add("127.0.0.1:11340");
        }
        // several milters: their runs alternate (A B A B ...) so drift on the machine hits them alike
        List<String> labels = new ArrayList<>();
        List<MilterLoad> loads = new ArrayList<>();
        for (String m : milters) {
            int eq = m.indexOf('=');
            String address = eq < 0 ? m : m.substring(eq + 1);
            labels.add(eq < 0 ? label : m.substring(0, eq));
            int colon = address.lastIndexOf(':');
            loads.add(new MilterLoad(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), size, reuse,
                    expectHeader, attachment));
        }
        for (int w = 0; w < warmups; w++) {
            for (MilterLoad load : loads) {
                load.run(count, concurrency);
            }
        }
        List<List<Result>> results = new ArrayList<>();
        loads.forEach(l -> results.add(new ArrayList<>()));
        for (int r = 0; r < runs; r++) {
            for (int m = 0; m < loads.size(); m++) {
                results.get(m).add(loads.get(m).run(count, concurrency));
            }
        }
        for (int m = 0; m < loads.size(); m++) {
            List<Result> rs = results.get(m);
            rs.sort(Comparator.comparingDouble(Result::perSecond));
            Result median = rs.get(rs.size() / 2);
            System.out.println(String.format(Locale.ROOT,
                    "%s size=%d count=%d conns=%d %s, median of %d: %.2f s, %.0f msg/s, %.1f MiB/s, p50 %.2f ms, p99 %.2f ms, errors %d"
                            + " (msg/s of each run: %s)",
                    labels.get(m), size, count, concurrency, reuse ? "reused" : "new-conn", runs, median.seconds(), median.perSecond(),
                    median.perSecond() * size / (1024 * 1024), median.p50(), median.p99(), median.errors(),
                    rs.stream().map(x -> String.format(Locale.ROOT, "%.0f", x.perSecond())).toList()));
        }
    }

    /** One run's figures. */
    private record Result(double seconds, double perSecond, double p50, double p99, long errors) {
    }

    private Result run(int count, int concurrency) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        Future<?>[] workers = new Future<?>[concurrency];
        for (int w = 0; w < concurrency; w++) {
            workers[w] = pool.submit(() -> {
                Connection c = null;
                for (int i; (i = next.getAndIncrement()) < count;) {
                    try {
                        if (c == null) {
                            c = new Connection(host, port);
                        }
                        latencies[i] = c.message(body, expectHeader, attachment);
                        if (!reuse) {
                            c.close();
                            c = null;
                        }
                    } catch (IOException e) {
                        if (errors.incrementAndGet() == 1) {
                            System.err.println("first error: " + e.getMessage());
                        }
                        latencies[i] = -1;
                        if (c != null) {
                            c.close();
                            c = null;
                        }
                    }
                }
                if (c != null) {
                    c.close();
                }
                return null;
            });
        }
        for (Future<?> f : workers) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        return new Result(seconds, count / seconds, percentile(ok, 50), percentile(ok, 99), errors.get());
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    static final String BOUNDARY = "=_load_boundary";

    private static byte[] mime(int size) {
        byte[] payload = new byte[size * 3 / 4];
        new java.util.Random(7).nextBytes(payload);
        String b64 = java.util.Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(payload);
        return ("--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nThe report is attached.\r\n--" + BOUNDARY
                + "\r\nContent-Type: application/octet-stream; name=\"report.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64
                + "\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] body(int size) {
        byte[] line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = line[i % line.length];
        }
        return b;
    }

    /** One milter connection, negotiated once. */
    private static final class Connection {
        private final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;
        private final int protocol;

        Connection(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 17));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeInt(6);
            d.writeInt(0x1ff);
            d.writeInt(NO_REPLY_BITS_OFFERED);
            frame('O', b.toByteArray());
            out.flush();
            byte[] reply = read('O');
            protocol = ((reply[8] & 0xff) << 24) | ((reply[9] & 0xff) << 16) | ((reply[10] & 0xff) << 8) | (reply[11] & 0xff);
            step('C', 0x1000, cstr("client.example.com"), new byte[] {'4', (byte) 0x9c, 0x40}, cstr("192.0.2.7"));
            step('H', 0x2000, cstr("client.example.com"));
        }

        /** Sends one message; returns nanoseconds from MAIL to the final reply. */
        long message(byte[] body, String expectHeader, boolean mime) throws IOException {
            long t0 = System.nanoTime();
            step('M', 0x4000, cstr("<sender@example.com>"));
            step('R', 0x8000, cstr("<rcpt@example.net>"));
            step('T', 0x10000);
            step('L', 0x80, cstr("From"), cstr("sender@example.com"));
            step('L', 0x80, cstr("To"), cstr("rcpt@example.net"));
            step('L', 0x80, cstr("Subject"), cstr("load test"));
            if (mime) {
                step('L', 0x80, cstr("MIME-Version"), cstr("1.0"));
                step('L', 0x80, cstr("Content-Type"), cstr("multipart/mixed; boundary=\"" + BOUNDARY + "\""));
            }
            step('N', 0x40000);
            for (int at = 0; at < body.length; at += CHUNK) {
                step('B', 0x80000, Arrays.copyOfRange(body, at, Math.min(body.length, at + CHUNK)));
            }
            frame('E');
            out.flush();
            boolean headerSeen = expectHeader == null;
            for (;;) {
                int length = in.readInt();
                char code = (char) in.readUnsignedByte();
                byte[] payload = in.readNBytes(length - 1);
                if (code == 'h' && !headerSeen) {
                    headerSeen = new String(payload, StandardCharsets.ISO_8859_1).contains(expectHeader);
                }
                if (code != 'h' && code != 'i' && code != 'm' && code != 'q' && code != 'p' && code != '+' && code != '-') {
                    // only an accept (or continue) counts: a tempfail or reject is an error here
                    if (code != 'a' && code != 'c') {
                        throw new IOException("final reply '" + code + "' " + new String(payload, StandardCharsets.ISO_8859_1).strip());
                    }
                    break;
                }
            }
            if (!headerSeen) {
                throw new IOException("no added header contained '" + expectHeader + "'");
            }
            return System.nanoTime() - t0;
        }

        /** Sends a command and, unless the milter said it does not reply to it, reads the reply. */
        private void step(char code, int noReplyBit, byte[]... parts) throws IOException {
            frame(code, parts);
            if ((protocol & noReplyBit) == 0) {
                out.flush();
                read((char) 0);
            }
        }

        private void frame(char code, byte[]... parts) throws IOException {
            int length = 1;
            for (byte[] p : parts) {
                length += p.length;
            }
            out.writeInt(length);
            out.writeByte(code);
            for (byte[] p : parts) {
                out.write(p);
            }
        }

        private byte[] read(char expected) throws IOException {
            int length = in.readInt();
            char code = (char) in.readUnsignedByte();
            byte[] payload = new byte[length - 1];
            in.readFully(payload);
            if (expected != 0 && code != expected) {
                throw new IOException("expected '" + expected + "', got '" + code + "'");
            }
            return payload;
        }

        void close() {
            try {
                frame('Q');
                out.flush();
                socket.close();
            } catch (IOException ignored) {
                // the milter may already have closed
            }
        }

        private static byte[] cstr(String s) {
            return (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
