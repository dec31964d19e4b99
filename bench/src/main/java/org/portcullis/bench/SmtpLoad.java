package org.portcullis.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SMTP load with real attachments, which smtp-source cannot send: {@code --count} MIME messages
 * of about {@code --size} bytes (a short text part and {@code --attachments} binary attachments,
 * default 1, sharing the size, base64), one SMTP
 * session per message on {@code --sessions} at once; every {@code --infected-every}th message
 * also carries the EICAR test file (assembled here from two halves) as a second attachment.
 * Prints one line: accepted, refused (5xx), deferred (4xx), seconds.
 *
 * <pre>java -cp bench/target/classes org.portcullis.bench.SmtpLoad --server 127.0.0.1:22525 --size 102400 --count 2000 --sessions 20 --infected-every 10</pre>
 */
public final class SmtpLoad {

    private SmtpLoad() {
    }

    public static void main(String[] args) throws Exception {
        String server = "127.0.0.1:25";
        int size = 102400;
        int count = 1000;
        int sessions = 10;
        int infectedEvery = 0;
        int attachments = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> server = args[++i];
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                case "--infected-every" -> infectedEvery = Integer.parseInt(args[++i]);
                case "--attachments" -> attachments = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --server host:port --size N --count N --sessions N [--infected-every N] [--attachments N])");
            }
        }
        String host = server.substring(0, server.lastIndexOf(':'));
        int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
        byte[] payload = new byte[size * 3 / 4 / Math.max(1, attachments)];
        new Random(7).nextBytes(payload);
        String attachment = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(payload);
        String eicar = Base64.getEncoder().encodeToString(("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR" + "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
                .getBytes(StandardCharsets.US_ASCII));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger deferred = new AtomicInteger();
        int total = count;
        int every = infectedEvery;
        int parts = Math.max(1, attachments);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        for (int s = 0; s < sessions; s++) {
            pool.execute(() -> {
                for (int n; (n = next.getAndIncrement()) < total;) {
                    boolean infected = every > 0 && n % every == every - 1;
                    try {
                        char reply = send(host, port, message(n, attachment, parts, infected ? eicar : null));
                        (reply == '2' ? accepted : reply == '5' ? refused : deferred).incrementAndGet();
                    } catch (IOException e) {
                        deferred.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        System.out.printf("accepted %d refused %d deferred %d seconds %.3f%n", accepted.get(), refused.get(), deferred.get(),
                (System.nanoTime() - start) / 1e9);
    }

    private static String message(int n, String attachment, int parts, String eicar) {
        String boundary = "=_bench_" + n;
        StringBuilder m = new StringBuilder((attachment.length() + 256) * parts + 1024);
        m.append("From: sender@bench.test\r\nTo: rcpt@bench.test\r\nSubject: report ").append(n)
                .append("\r\nMessage-ID: <load-").append(n).append("@bench.test>\r\nMIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/mixed; boundary=\"").append(boundary).append("\"\r\n\r\n")
                .append("--").append(boundary).append("\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe report is attached.\r\n");
        for (int p = 1; p <= parts; p++) {
            String name = parts == 1 ? "report.bin" : "report-" + p + ".bin";
            m.append("--").append(boundary).append("\r\nContent-Type: application/octet-stream; name=\"").append(name).append("\"\r\n")
                    .append("Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"").append(name).append("\"\r\n\r\n")
                    .append(attachment).append("\r\n");
        }
        if (eicar != null) {
            m.append("--").append(boundary).append("\r\nContent-Type: application/octet-stream; name=\"eicar.com\"\r\n")
                    .append("Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"eicar.com\"\r\n\r\n")
                    .append(eicar).append("\r\n");
        }
        return m.append("--").append(boundary).append("--\r\n").toString();
    }

    /** One session; returns the first digit of the reply to the message's final dot. */
    private static char send(String host, int port, String message) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(120_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in);
            for (String command : new String[] {"EHLO load.bench.test", "MAIL FROM:<sender@bench.test>", "RCPT TO:<rcpt@bench.test>", "DATA"}) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                char r = expect(in);
                if (r != (command.equals("DATA") ? '3' : '2')) {
                    return r;
                }
            }
            out.write(message.getBytes(StandardCharsets.US_ASCII));
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            char r = expect(in);
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return r;
        }
    }

    /** Reads one (possibly multi-line) reply and returns its first digit. */
    private static char expect(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        return line.charAt(0);
    }
}
