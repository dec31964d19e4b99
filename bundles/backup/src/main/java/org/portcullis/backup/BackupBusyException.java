package org.portcullis.backup;

/** Another backup, verify or restore is running on this node; try again when it is done. */
public class BackupBusyException extends BackupException {

    private static final long serialVersionUID = 1L;

    public BackupBusyException(String message) {
        super(message);
    }
}
