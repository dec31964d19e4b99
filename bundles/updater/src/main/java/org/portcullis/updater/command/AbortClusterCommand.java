package org.portcullis.updater.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "update", name = "cluster-abort", description = "Stops the running cluster update (update:apply --cluster): no further node takes its turn;"
        + " a node whose own update runs finishes or rolls it back by itself")
@Service
public class AbortClusterCommand extends UpdateAction {

    @Override
    protected void run() {
        System.out.println(updates.abortCluster(author()));
    }
}
