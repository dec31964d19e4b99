package org.portcullis.milter.internal.command;

import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.milter.internal.pipeline.MilterStats.ScannerStats;
import org.portcullis.milter.internal.service.MilterStatus;

/** {@code milter:scanners}: every scanner that has scanned, its health, calls, failures and last error. */
@Command(scope = "milter", name = "scanners", description = "Lists the scanners with their health and last error")
@Service
public class ScannersCommand implements Action {

    @Reference
    MilterStatus status;

    @Override
    public Object execute() {
        Map<String, ScannerStats> scanners = status.stats().scanners();
        if (scanners.isEmpty()) {
            System.out.println("No scanner has scanned a message yet");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Scanner");
        table.column("Health");
        table.column("Calls");
        table.column("Failures");
        table.column("Last error");
        scanners.forEach((name, s) -> table.addRow().addContent(name, s.health(), s.calls(), s.failures(), s.lastError()));
        table.print(System.out);
        return null;
    }
}
