package org.portcullis.updater.command;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.updater.Updates;

/** What every {@code update:*} command has: the service, and the right {@code update} checked first. */
abstract class UpdateAction extends AccountCommand {

    @Reference
    Updates updates;

    @Override
    protected Right required() {
        return Right.UPDATE;
    }

    /** A kept package by its name as update:list shows it, else a path; {@code null} is the newest kept package. */
    Path packageFile(String name) {
        List<Path> kept = updates.packages();
        if (name == null) {
            if (kept.isEmpty()) {
                throw new IllegalArgumentException("no update package is kept here: give a FILE, or keep one with update:install-file FILE");
            }
            return kept.get(kept.size() - 1);
        }
        return kept.stream().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElse(Paths.get(name));
    }
}
