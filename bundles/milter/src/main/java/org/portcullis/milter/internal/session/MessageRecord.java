package org.portcullis.milter.internal.session;

import java.util.List;

import org.portcullis.policy.Verdict;

/**
 * What happened to one message, or to one recipient refused at RCPT: one line of the mail log.
 *
 * @param queueId the MTA's queue id ({@code NOQUEUE} before it has one)
 * @param stage where it was decided: {@code rcpt}, {@code mail} or {@code end}
 * @param clientName the SMTP client's name as the MTA resolved it
 * @param clientAddress its address
 * @param sender the envelope sender, without brackets
 * @param recipients the recipients (at RCPT: the one refused)
 * @param size bytes of headers and body received
 * @param messageId the Message-ID header, if any
 * @param trace what the lists and the scanners said
 * @param verdict what was decided
 * @param reply what the MTA was told: {@code accept}, {@code hold: reason}, {@code discard} or the SMTP reply
 * @param millis from end of message to the answer (0 at MAIL and RCPT)
 */
public record MessageRecord(String queueId, String stage, String clientName, String clientAddress, String sender,
        List<String> recipients, long size, String messageId, MessageTrace trace, Verdict.Kind verdict, String reply, long millis) {

    public MessageRecord {
        recipients = List.copyOf(recipients);
    }
}
