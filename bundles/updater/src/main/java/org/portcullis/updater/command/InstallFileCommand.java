package org.portcullis.updater.command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

@Command(scope = "update", name = "install-file", description = "Verifies an update package copied to this appliance and keeps it for update:precheck and update:apply")
@Service
public class InstallFileCommand extends UpdateAction {

    @Argument(name = "FILE", description = "The update package (.pcup), for example copied over SSH", required = true)
    @Completion(FileCompleter.class)
    String file;

    @Override
    protected void run() throws Exception {
        Path kept = updates.install(Paths.get(file));
        System.out.println("Kept " + kept.getFileName() + " (" + (Files.size(kept) + 1023) / 1024 + " KiB): signature and every file verified."
                + " Next: update:precheck " + kept.getFileName());
    }
}
