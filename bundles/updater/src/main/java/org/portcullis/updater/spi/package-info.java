/**
 * What the updater stops before an update and starts after it: one {@link org.portcullis.updater.spi.ControlledService}
 * per service, OS or in-container, in a configured order.
 */
@Export
@Version("1.2.0")
package org.portcullis.updater.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
