package org.portcullis.milter.internal.codec;

/**
 * A frame that is not valid milter: the session that sent it is closed. The message names the
 * command and what is wrong with it, in one line.
 */
public class MilterProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MilterProtocolException(String message) {
        super(message);
    }
}
