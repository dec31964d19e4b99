/**
 * Online updates: the update packages an appliance has been given ({@link org.portcullis.updater.Updates})
 * and the prechecks an update must pass before anything stops.
 */
@Export
@Version("1.2.0")
package org.portcullis.updater;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
