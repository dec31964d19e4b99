package org.portcullis.lists.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

/** What admins may write, and the one-line refusal naming the field and value when they may not. */
class PatternTest {

    @ParameterizedTest
    @CsvSource({
        "Bob@Example.COM, SENDER_ADDRESS, bob@example.com", "example.com, SENDER_DOMAIN, example.com",
        "*.example.com, SENDER_SUBDOMAINS, *.example.com", "192.0.2.7, CLIENT_IP, 192.0.2.7/32",
        "192.0.2.0/24, CLIENT_IP, 192.0.2.0/24", "2001:DB8::/32, CLIENT_IP, 2001:db8:0:0:0:0:0:0/32",
        "from:bob@example.com, FROM_ADDRESS, from:bob@example.com", "from:*.example.com, FROM_SUBDOMAINS, from:*.example.com",
    })
    void accepted(String text, Pattern.Kind kind, String canonical) {
        Pattern p = Pattern.parse(text);
        assertEquals(kind, p.kind());
        assertEquals(canonical, p.value());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exa mple.com| pattern 'exa mple.com': not an address, a domain, *.domain, an IP address or a CIDR network",
        "192.0.2.0/33| pattern '192.0.2.0/33': prefix length '33' is not 0 to 32",
        "192.0.2.5/24| pattern '192.0.2.5/24': has host bits set; the network is 192.0.2.0/24",
        "256.1.1.1| pattern '256.1.1.1': not an IPv4 or IPv6 address",
        "2001:db8::/129| pattern '2001:db8::/129': prefix length '129' is not 0 to 128",
        "from:| pattern 'from:': after from: comes an address, a domain or *.domain",
        "bob@| pattern 'bob@': not an address, a domain, *.domain, an IP address or a CIDR network",
    })
    void refusedPatterns(String text, String message) {
        assertEquals(message, assertThrows(ListException.class, () -> Pattern.parse(text)).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "galaxy; scope 'galaxy': use global, domain:<domain> or user:<address>",
        "domain:bad_domain; scope 'domain:bad_domain': not a domain",
        "user:nobody; scope 'user:nobody': not an email address",
    })
    void refusedScopes(String text, String message) {
        assertEquals(message, assertThrows(ListException.class, () -> Scope.parse(text)).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"whitelist; list 'whitelist': use allow or block", "; list '': use allow or block"})
    void refusedLists(String text, String message) {
        assertEquals(message, assertThrows(ListException.class, () -> ListType.parse(text)).getMessage());
    }
}
