package org.portcullis.backup;

import java.io.IOException;

/** A backup file refused, in one line that says what is wrong and, where it can, what to do. */
public class BackupException extends IOException {

    private static final long serialVersionUID = 1L;

    public BackupException(String message) {
        super(message);
    }
}
