package org.portcullis.updater.command;

import java.util.List;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.updater.Updates.Offer;

@Command(scope = "update", name = "check", description = "Asks the update URL (update.url) which update it offers for the running version")
@Service
public class CheckCommand extends UpdateAction {

    @Override
    protected void run() throws Exception {
        List<Offer> offers = updates.check();
        if (offers.isEmpty()) {
            System.out.println("No update is offered for the running version.");
            return;
        }
        for (Offer o : offers) {
            System.out.println("Offered: " + o.from() + " -> " + o.to() + "  " + o.name() + (o.size() < 0 ? "" : "  " + DownloadCommand.mib(o.size()))
                    + "  (update:download " + o.to() + ")");
        }
    }
}
