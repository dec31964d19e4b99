package org.portcullis.scanner;

import java.util.List;
import java.util.Map;

/**
 * The SMTP envelope and the client that sent the message.
 *
 * @param sender the MAIL FROM address without angle brackets; empty for the null sender (bounces)
 * @param recipients the RCPT TO addresses accepted so far, without angle brackets
 * @param clientAddress the client's IP address as text, or empty when the MTA did not say
 * @param clientHostname the client's host name as the MTA resolved it (or {@code [address]})
 * @param helo the HELO/EHLO name the client gave
 * @param macros the MTA's macros (for Postfix, e.g. {@code i} = queue id, {@code {auth_authen}})
 */
public record Envelope(String sender, List<String> recipients, String clientAddress, String clientHostname,
        String helo, Map<String, String> macros) {

    public Envelope {
        recipients = List.copyOf(recipients);
        macros = Map.copyOf(macros);
    }
}
