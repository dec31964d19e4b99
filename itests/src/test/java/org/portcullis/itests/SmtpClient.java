package org.portcullis.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The sending side of one SMTP session, enough to hand a message to Postfix and read what it
 * answered at each step: the final answer to the message is what an MTA would act on.
 */
final class SmtpClient {

    private SmtpClient() {
    }

    /**
     * Sends one message; returns the reply to the end of DATA, or the first reply that refused
     * the envelope (MAIL or RCPT).
     */
    static String send(int port, String from, String to, String message) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(120_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            expect(reply(in), "220");
            expect(command(in, out, "EHLO sender.portcullis.test"), "250");
            String mail = command(in, out, "MAIL FROM:<" + from + ">");
            if (!mail.startsWith("250")) {
                return mail;
            }
            String rcpt = command(in, out, "RCPT TO:<" + to + ">");
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            expect(command(in, out, "DATA"), "354");
            StringBuilder data = new StringBuilder();
            String text = message.endsWith("\r\n") ? message.substring(0, message.length() - 2) : message;
            for (String line : text.split("\r\n", -1)) {
                data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            out.write(data.toString().getBytes(StandardCharsets.ISO_8859_1));
            String end = command(in, out, ".");
            command(in, out, "QUIT");
            return end;
        }
    }

    private static String command(BufferedReader in, OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return reply(in);
    }

    /** One reply; the lines of a multi-line reply are joined with spaces. */
    private static String reply(BufferedReader in) throws IOException {
        StringBuilder all = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed; got so far: " + all);
            }
            all.append(all.length() == 0 ? "" : " ").append(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return all.toString();
    }

    private static void expect(String reply, String code) throws IOException {
        if (!reply.startsWith(code)) {
            throw new IOException("expected " + code + ", got: " + reply);
        }
    }
}
