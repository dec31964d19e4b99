package org.portcullis.policy;

import java.time.Instant;
import java.util.List;

/**
 * What happened to one message, or to one recipient refused at RCPT, or one message refused at
 * MAIL: the mail log's line, the message tracking's row. Immutable.
 *
 * @param time when the answer was given
 * @param queueId the MTA's queue id ({@code ""} before it has one)
 * @param stage where it was decided: {@code end} (of message), {@code rcpt} or {@code mail}
 * @param clientName the SMTP client's name as the MTA resolved it ({@code [address]} when it did not)
 * @param clientAddress its address
 * @param sender the envelope sender, without brackets ({@code ""} for the null sender)
 * @param recipients the recipients the message went on for (at RCPT: the one refused)
 * @param size bytes of headers and body received
 * @param messageId the Message-ID header, if any
 * @param list the Allow or Block list entry that applied, if any
 * @param scanners each scanner's answer as {@code name:result:millis ms}
 * @param score the highest spam score, if a scanner gave one
 * @param error why deciding failed, when it did
 * @param verdict what was decided
 * @param reply what the MTA was told: {@code accept}, {@code hold: reason}, {@code discard} or the SMTP reply
 * @param millis from end of message to the answer (0 at MAIL and RCPT)
 */
public record MessageRecord(Instant time, String queueId, String stage, String clientName, String clientAddress, String sender,
        List<String> recipients, long size, String messageId, String list, List<String> scanners, String score, String error,
        Verdict.Kind verdict, String reply, long millis) {

    public MessageRecord {
        recipients = List.copyOf(recipients);
        scanners = List.copyOf(scanners);
    }
}
