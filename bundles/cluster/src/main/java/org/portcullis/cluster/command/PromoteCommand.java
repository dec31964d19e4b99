package org.portcullis.cluster.command;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.cluster.Cluster;

/** {@code cluster:promote}: makes this node the Primary now, under a new epoch (the old Primary is fenced out). */
@Command(scope = "cluster", name = "promote", description = "Makes this node the Primary now (a new epoch: the old Primary's writes are refused)")
@Service
public class PromoteCommand extends AccountCommand {

    @Reference
    Cluster cluster;

    @Override
    protected Right required() {
        return Right.CLUSTER;
    }

    @Override
    protected void run() throws Exception {
        System.out.println("This node is the Primary, epoch " + cluster.promote());
    }
}
