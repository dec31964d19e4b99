package org.portcullis.updater.internal;

/** The steps of an update, in order. Before {@link #DATABASE} commits, a failure rolls back; after it, the update only goes forward. */
enum Step {
    PRECHECK, MAINTENANCE, DRAIN, HOLD, STOP, OS, REPOSITORY, FEATURES, DATABASE, RELEASE, START, SETTINGS, HEALTH, RESTORE, DONE
}
