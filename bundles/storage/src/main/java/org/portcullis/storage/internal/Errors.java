package org.portcullis.storage.internal;

/** Turns database exceptions into the one line that logs and {@code storage:status} show. */
final class Errors {

    private Errors() {
    }

    /**
     * The innermost message on one line: a pool timeout ("connection is not available") wraps the
     * failure that says what is wrong (refused, authentication failed, unknown database).
     */
    static String describe(Throwable e) {
        String message = e.getClass().getSimpleName();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
