package org.portcullis.milter.internal.command;

import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.milter.internal.pipeline.MilterStats.ScannerStats;
import org.portcullis.milter.internal.service.MilterStatus;
import org.portcullis.scanner.Scanner;

/** {@code milter:scanners}: every scanner installed (or used since start), its category, health, calls, failures and last error. */
@Command(scope = "milter", name = "scanners", description = "Lists the scanners with their health and last error")
@Service
public class ScannersCommand implements Action {

    @Reference
    MilterStatus status;

    @Override
    public Object execute() {
        Map<String, ScannerStats> used = status.stats().scanners();
        java.util.SortedMap<String, Scanner> installed = new java.util.TreeMap<>();
        status.scanners().forEach(s -> installed.put(s.name(), s));
        if (installed.isEmpty() && used.isEmpty()) {
            System.out.println("No scanner is installed: mail is delivered unscanned (install one, e.g. feature:install "
                    + "portcullis-scanner-clamav)");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Scanner");
        table.column("Category");
        table.column("Health");
        table.column("Calls");
        table.column("Failures");
        table.column("Last error");
        java.util.SortedSet<String> names = new java.util.TreeSet<>(installed.keySet());
        names.addAll(used.keySet());
        for (String name : names) {
            Scanner s = installed.get(name);
            ScannerStats st = used.get(name);
            String health = s == null ? "removed" : st == null ? "not used yet" : st.health();
            table.addRow().addContent(name, s == null ? "" : s.category().name().toLowerCase(java.util.Locale.ROOT), health,
                    st == null ? 0 : st.calls(), st == null ? 0 : st.failures(), st == null ? "" : st.lastError());
        }
        table.print(System.out);
        return null;
    }
}
