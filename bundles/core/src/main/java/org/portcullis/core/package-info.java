/** Platform services every Portcullis bundle may use: product version, maintenance mode, atomic file writes, time filters. */
@Export
@Version("1.3.0")
package org.portcullis.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
