package org.portcullis.quarantine.command;

import org.portcullis.quarantine.Quarantine;

/** How the release and delete commands report what they did. */
final class Outcomes {

    private Outcomes() {
    }

    static void print(Quarantine.Outcome o, String done) {
        if (!o.done().isEmpty()) {
            System.out.println(capitalized(done) + " for " + String.join(", ", o.done()) + (o.reply().isEmpty() ? "" : " (" + o.reply() + ")"));
        }
        if (!o.unchanged().isEmpty()) {
            System.out.println("Left as they were: " + String.join(", ", o.unchanged()));
        }
        if (o.done().isEmpty() && o.unchanged().isEmpty()) {
            System.out.println("No recipient of yours is held in this message");
        }
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
