package org.portcullis.milter.internal.command;

import java.util.Locale;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.milter.internal.pipeline.MilterStats;
import org.portcullis.milter.internal.service.MilterStatus;

/** {@code milter:status}: address, connections, messages, verdicts and decision latency. */
@Command(scope = "milter", name = "status", description = "Shows the milter's address, connections, verdict counts and latency")
@Service
public class StatusCommand implements Action {

    @Reference
    MilterStatus status;

    @Override
    public Object execute() {
        MilterStats stats = status.stats();
        System.out.println("Address     : " + status.getAddress() + " (" + status.getTransport() + ")");
        System.out.println("Connections : " + status.getOpenConnections() + " open");
        System.out.println("Messages    : " + status.getMessages());
        java.util.List<org.portcullis.scanner.Scanner> installed = status.scanners();
        System.out.println("Scanners    : " + (installed.isEmpty()
                ? "NONE INSTALLED: mail is delivered unscanned (X-Portcullis-Verdict: unscanned); "
                        + "install one, e.g. feature:install portcullis-scanner-clamav"
                : installed.stream().map(org.portcullis.scanner.Scanner::name).sorted().collect(java.util.stream.Collectors.joining(", "))));
        StringBuilder verdicts = new StringBuilder();
        for (String v : MilterStats.VERDICTS) {
            verdicts.append(verdicts.length() == 0 ? "" : ", ").append(v).append(' ').append(stats.count(v));
        }
        System.out.println("Verdicts    : " + verdicts);
        System.out.println(String.format(Locale.ROOT, "Latency     : p50 %.1f ms, p99 %.1f ms", status.getLatencyP50Millis(),
                status.getLatencyP99Millis()));
        return null;
    }
}
