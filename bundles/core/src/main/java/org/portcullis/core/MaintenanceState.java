package org.portcullis.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether the node is in maintenance, why, since when and who switched it.
 *
 * @param active whether new mail transactions are answered with a temporary failure
 * @param reason what the admin or updater gave as the reason; empty when not active
 * @param since when maintenance was switched on, or {@code null} when not active
 * @param by who switched it on (an account name or {@code updater}); empty when not active
 */
public record MaintenanceState(boolean active, String reason, Instant since, String by) {

    /** The state of a node taking mail normally. */
    public static final MaintenanceState OFF = new MaintenanceState(false, "", null, "");

    public MaintenanceState {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(by, "by");
        if (active) {
            Objects.requireNonNull(since, "since");
        }
    }
}
