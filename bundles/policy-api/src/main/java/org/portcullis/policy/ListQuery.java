package org.portcullis.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What the lists are asked about.
 *
 * @param sender the envelope sender without angle brackets ({@code ""} for the null sender)
 * @param client the SMTP client's address, when the MTA sent it
 * @param recipients the recipients accepted so far (at RCPT: the one being asked about)
 * @param headerFrom the values of the message's {@code From:} headers as received (empty before end of message)
 */
public record ListQuery(String sender, Optional<InetAddress> client, List<String> recipients, List<String> headerFrom) {

    public ListQuery {
        recipients = List.copyOf(recipients);
        headerFrom = List.copyOf(headerFrom);
    }
}
