package org.portcullis.core;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Maintenance mode of this node. While it is on, the milter answers every new mail transaction
 * with a 4xx, so sending MTAs keep their mail and retry; nothing is lost. The updater switches
 * it on before it stops services, and an admin may switch it on by hand.
 *
 * <p>The state is kept in a file under the container's data directory, not in PostgreSQL: the
 * updater stops PostgreSQL while maintenance is on, and the state must survive that and a
 * container restart. {@link #isActive()} is a memory read, cheap enough for every transaction.
 * All methods are thread-safe.
 */
@ProviderType
public interface MaintenanceMode {

    /** Whether new transactions must be refused with a temporary failure. */
    boolean isActive();

    /** The full current state. */
    MaintenanceState state();

    /**
     * Switches maintenance on (or updates the reason when it already is on; the start time is kept).
     *
     * @throws IOException when the state cannot be written; the mode is then unchanged
     */
    MaintenanceState enable(String reason, String by) throws IOException;

    /**
     * Switches maintenance off.
     *
     * @throws IOException when the state cannot be written; the mode is then unchanged
     */
    MaintenanceState disable() throws IOException;
}
