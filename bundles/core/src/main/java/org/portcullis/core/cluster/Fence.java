package org.portcullis.core.cluster;

import java.sql.Connection;
import java.sql.SQLException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The term of one Primary: its fencing epoch, which grows by one with every take-over. A term ends
 * when its lease expires unrenewed, when the Primary hands it over, or when an admin promotes
 * another node; from then on every check of it is refused.
 */
@ProviderType
public interface Fence {

    /** The fence of a single node: epoch 0, never refused. */
    Fence NONE = new Fence() {
        @Override
        public long epoch() {
            return 0;
        }

        @Override
        public void check(Connection transaction) {
            // a single node has no one to be fenced from
        }

        @Override
        public void check() {
            // nor here
        }
    };

    /** The epoch of this term. */
    long epoch();

    /**
     * Checks the term inside {@code transaction} (on the cluster's database, auto-commit off, a
     * read-write transaction at READ COMMITTED, PostgreSQL's default): the database refuses it
     * unless this term still holds, and a take-over waits until the transaction ends. Call it as
     * the last statement before the commit of a Primary-only write.
     *
     * @throws IllegalStateException when {@code transaction} is in auto-commit (the check would hold nothing)
     * @throws FencedException when the term has ended (roll back: the write must not happen)
     */
    void check(Connection transaction) throws SQLException, FencedException;

    /** Checks the term on a connection of its own, for an effect outside the database (a file, a call). */
    void check() throws SQLException, FencedException;
}
