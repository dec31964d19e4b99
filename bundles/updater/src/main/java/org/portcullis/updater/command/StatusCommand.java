package org.portcullis.updater.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "update", name = "status", description = "Shows the update in flight (or the last one): its step, why, and the end of its log")
@Service
public class StatusCommand extends UpdateAction {

    @Override
    protected void run() {
        List<String> lines = updates.status();
        if (lines.isEmpty()) {
            System.out.println("No update has run on this appliance.");
        }
        lines.forEach(System.out::println);
    }
}
