package org.portcullis.lists.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.Lists;

@Command(scope = "lists", name = "check", description = "Explains which entry decides for a sender, and which entries it overrides")
@Service
public class CheckCommand extends ListsAction {

    @Argument(index = 0, name = "sender", description = "The envelope sender", required = true)
    String sender;

    @Option(name = "-i", aliases = "--ip", description = "The SMTP client's address")
    String ip;

    @Option(name = "-r", aliases = "--rcpt", description = "The recipient (its user and domain lists apply; without it only the global list)")
    String rcpt;

    @Option(name = "-f", aliases = "--from", description = "The header From address")
    String from;

    @Override
    protected void run() {
        Lists.Explanation x = lists.check(sender, ip, rcpt, from);
        if (x.decisive() == null) {
            System.out.println("No entry matches: the message is scanned as usual.");
            return;
        }
        ListEntry d = x.decisive();
        System.out.println("Decides: #" + d.id() + " " + d.describe() + " -> "
                + (d.list().id().equals("block") ? "rejected with 550 5.7.1" : "spam and reputation scanners skipped; virus scanning still runs"));
        System.out.println("Why: " + d.scope() + " is the most specific scope with a match (user over domain over global);"
                + " in it, the most specific entry for each part of the message votes, and a Block vote beats an Allow vote.");
        for (int i = 0; i < x.overridden().size(); i++) {
            ListEntry o = x.overridden().get(i);
            System.out.println("Overrides: #" + o.id() + " " + o.describe() + " — " + x.reasons().get(i));
        }
    }
}
