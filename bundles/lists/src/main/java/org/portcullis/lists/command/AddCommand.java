package org.portcullis.lists.command;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;

@Command(scope = "lists", name = "add", description = "Adds an Allow or Block list entry")
@Service
public class AddCommand extends ListsAction {

    @Argument(index = 0, name = "list", description = "allow or block", required = true)
    @Completion(value = StringsCompleter.class, values = {"allow", "block"})
    String list;

    @Argument(index = 1, name = "pattern", description = "address, domain, *.domain, IP, CIDR, or from:address|domain|*.domain",
            required = true)
    String pattern;

    @Completion(ListCompleters.Scopes.class)
    @Option(name = "-s", aliases = "--scope", description = "global, domain:<domain> or user:<address>")
    String scope = "global";

    @Option(name = "-c", aliases = "--comment", description = "Why the entry is there")
    String comment;

    @Option(name = "-e", aliases = "--expires", description = "When it stops matching: 2027-01-31, 2027-01-31T18:00:00Z, or a duration such as 7d or 12h")
    String expires;

    @Override
    protected void run() {
        Scope s = Scope.parse(scope);
        requireScope(s);
        ListEntry e = lists.add(ListType.parse(list), s, Pattern.parse(pattern), comment == null ? "" : comment, author(),
                expires(expires));
        System.out.println("Added #" + e.id() + ": " + e.describe() + (e.expires() == null ? "" : ", expires "
                + e.expires().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    }

    static Instant expires(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.strip();
        try {
            if (t.matches("\\d+[dhm]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                Duration d = switch (t.charAt(t.length() - 1)) {
                    case 'd' -> Duration.ofDays(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofMinutes(n);
                };
                return Instant.now().plus(d);
            }
            return t.length() == 10 ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new ListException("expires '" + text + "': use 2027-01-31, 2027-01-31T18:00:00Z, or 7d / 12h / 30m");
        }
    }
}
