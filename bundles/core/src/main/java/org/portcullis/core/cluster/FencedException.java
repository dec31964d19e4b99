package org.portcullis.core.cluster;

/** A Primary-only action refused: the term it ran under has ended (another node is Primary now). */
public class FencedException extends Exception {

    private static final long serialVersionUID = 1L;

    public FencedException(String message) {
        super(message);
    }
}
