package org.portcullis.storage.command;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.portcullis.storage.Storage;
import org.portcullis.storage.StorageStatus;
import org.portcullis.storage.StorageStatus.Pool;
import org.portcullis.storage.UpdateDatabase;

/** {@code storage:status}: database URL (no password), server version, pool and schema versions. */
@Command(scope = "storage", name = "status", description = "Shows the database, its pool and each bundle's schema version")
@Service
public class StatusCommand implements Action {

    /**
     * Optional, so the command stays registered while a configuration change re-activates the
     * storage component: the admin then reads why there is no status instead of "Command not found".
     */
    @Reference(optional = true)
    Storage storage;

    @Reference(optional = true)
    UpdateDatabase update;

    @Override
    public Object execute() {
        if (storage == null) {
            System.out.println("State    : NOT ACTIVE (the storage component is restarting after a configuration change,"
                    + " or failed to start: see karaf.log)");
            return null;
        }
        StorageStatus s = storage.status();
        Pool p = s.pool();
        System.out.println("Database : " + s.url());
        System.out.println("State    : " + (s.reachable() ? "reachable" : "UNREACHABLE")
                + (s.lastCheck() == null ? "" : " (checked " + s.lastCheck() + ")"));
        if (!s.serverVersion().isEmpty()) {
            System.out.println("Server   : " + s.serverVersion());
        }
        if (!s.lastError().isEmpty()) {
            System.out.println("Error    : " + s.lastError());
        }
        if (update != null) {
            update.migrationHold().ifPresent(reason -> System.out.println("Migrations: HELD by an update (" + reason
                    + "); schema-owning bundles wait until it commits or rolls back"));
        }
        System.out.println("Pool     : " + p.active() + " active, " + p.idle() + " idle, " + p.total()
                + " open of " + p.max() + ", " + p.waiting() + " waiting");
        if (s.schemas().isEmpty()) {
            System.out.println("Schemas  : none migrated yet");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Schema");
        table.column("Version");
        table.column("Migration");
        table.column("Applied");
        s.schemas().forEach(v -> table.addRow().addContent(v.schema(), v.version(), v.description(), v.appliedAt()));
        table.print(System.out);
        return null;
    }
}
