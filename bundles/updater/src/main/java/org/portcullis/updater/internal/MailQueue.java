package org.portcullis.updater.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postfix's queues as {@code postqueue -j} reports them (one JSON object per message). The
 * update waits, in maintenance mode, for the incoming and active queues to drain: a message
 * there is being handed on right now; deferred and held mail waits anyway and survives.
 */
final class MailQueue {

    /** Messages per queue that an update waits for, and the rest. */
    record Counts(int incoming, int active, int other) {
        int pending() {
            return incoming + active;
        }

        String describe() {
            return incoming + " incoming, " + active + " active" + (other == 0 ? "" : " (" + other + " deferred or held wait anyway)");
        }
    }

    private static final Pattern QUEUE_NAME = Pattern.compile("\"queue_name\"\\s*:\\s*\"([a-z]+)\"");

    private final List<String> command;
    private final Duration drain;

    private MailQueue(List<String> command, Duration drain) {
        this.command = command;
        this.drain = drain;
    }

    /**
     * From config: {@code auto} reads the system Postfix ({@code postqueue -j}) when
     * /etc/postfix/main.cf exists, else there is none; empty means none.
     */
    static Optional<MailQueue> configured(String queueCommand, long drainSeconds) {
        String c = queueCommand.trim();
        if (c.equals("auto")) {
            c = Files.isRegularFile(Path.of("/etc/postfix/main.cf")) ? "postqueue -j" : "";
        }
        return c.isEmpty() ? Optional.empty() : Optional.of(new MailQueue(OsStep.words(c), Duration.ofSeconds(Math.max(0, drainSeconds))));
    }

    Duration drain() {
        return drain;
    }

    String command() {
        return String.join(" ", command);
    }

    /** The queues now; fails with one line when the command does not answer. */
    Counts read() throws IOException {
        Command.Result r = Command.run(command, Duration.ofSeconds(60));
        if (r.exit() != 0) {
            throw new IOException(command() + " exited " + r.exit() + (r.lastLine().isEmpty() ? "" : ": " + r.lastLine()));
        }
        return parse(r.out());
    }

    /** Counts the messages of {@code postqueue -j} output by queue. */
    static Counts parse(String json) throws IOException {
        int incoming = 0;
        int active = 0;
        int other = 0;
        for (String line : json.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher m = QUEUE_NAME.matcher(line);
            if (!line.strip().startsWith("{") || !m.find()) {
                throw new IOException("postqueue -j printed a line that is no queue entry: " + line.substring(0, Math.min(80, line.length())));
            }
            switch (m.group(1)) {
                case "incoming", "maildrop" -> incoming++;
                case "active" -> active++;
                default -> other++;
            }
        }
        return new Counts(incoming, active, other);
    }
}
