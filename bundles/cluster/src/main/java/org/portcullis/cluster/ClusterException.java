package org.portcullis.cluster;

/** A cluster operation refused or failed; the message is one line that says why. */
public class ClusterException extends Exception {

    private static final long serialVersionUID = 1L;

    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
