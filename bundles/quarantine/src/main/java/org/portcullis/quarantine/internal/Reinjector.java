package org.portcullis.quarantine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.portcullis.quarantine.QuarantineException;

/**
 * Delivers a released message to the re-injection listener: a loopback SMTP listener of the MTA
 * (with the milter, which lets the copy pass on its signed header; or without), one transaction for all the
 * recipients released at once. commons-net's client does the SMTP, the dot-stuffing and the
 * final dot; the content passes as ISO-8859-1 characters, so every byte goes out as it came.
 */
class Reinjector {

    private final String host;
    private final int port;
    private final String heloName;
    private final int timeoutMillis;

    Reinjector(String host, int port, String heloName, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.heloName = heloName;
        this.timeoutMillis = timeoutMillis;
    }

    String listener() {
        return host + ":" + port;
    }

    /**
     * Sends {@code content} from {@code sender} to {@code recipients}.
     *
     * @return the listener's reply to the data (2xx)
     * @throws OutcomeUnknown when the data went out to its end and no answer came: the listener
     *         may have the message
     * @throws QuarantineException (unavailable) when the listener cannot be reached or refuses
     *         anything: nothing was delivered then
     */
    String send(String sender, List<String> recipients, InputStream content) {
        SMTPClient smtp = new SMTPClient(StandardCharsets.ISO_8859_1.name());
        smtp.setConnectTimeout(timeoutMillis);
        smtp.setDefaultTimeout(timeoutMillis);
        try {
            smtp.connect(host, port);
            smtp.setSoTimeout(timeoutMillis);
            expect(smtp, SMTPReply.isPositiveCompletion(smtp.getReplyCode()), "greeting");
            expect(smtp, smtp.login(heloName), "HELO");
            expect(smtp, smtp.setSender(sender), "MAIL FROM:<" + sender + ">");
            for (String r : recipients) {
                expect(smtp, smtp.addRecipient(r), "RCPT TO:<" + r + ">");
            }
            Writer data = smtp.sendMessageData();
            expect(smtp, data != null, "DATA");
            try (Reader in = new InputStreamReader(content, StandardCharsets.ISO_8859_1)) {
                in.transferTo(data);
            }
            data.close(); // the final dot: from here on the listener may have the message
            boolean accepted;
            try {
                accepted = smtp.completePendingCommand();
            } catch (IOException e) {
                throw new OutcomeUnknown("the re-injection listener " + listener() + " did not answer the message data: " + e.getMessage(), e);
            }
            expect(smtp, accepted, "the message data");
            String reply = smtp.getReplyString().strip();
            try {
                smtp.logout();
            } catch (IOException e) {
                // the message is accepted (250): a QUIT that fails changes nothing, and must not undo the release
            }
            return reply;
        } catch (IOException | java.io.UncheckedIOException e) {
            // (unchecked: the content's database read failed mid-way)
            throw new QuarantineException(QuarantineException.Code.UNAVAILABLE,
                    "the re-injection listener " + listener() + " failed: " + e.getMessage(), e);
        } finally {
            try {
                smtp.disconnect();
            } catch (IOException e) {
                // already failed or done: nothing more to say
            }
        }
    }

    /**
     * The message was sent to its end but no answer came: the listener may have accepted it. Any
     * other refusal of {@link #send} means nothing was delivered.
     */
    static final class OutcomeUnknown extends QuarantineException {
        private static final long serialVersionUID = 1L;

        OutcomeUnknown(String message, Throwable cause) {
            super(QuarantineException.Code.UNAVAILABLE, message, cause);
        }
    }

    private void expect(SMTPClient smtp, boolean ok, String what) {
        if (!ok) {
            throw new QuarantineException(QuarantineException.Code.UNAVAILABLE, "the re-injection listener " + listener() + " refused "
                    + what + ": " + smtp.getReplyString().strip().replace("\r\n", " "));
        }
    }
}
