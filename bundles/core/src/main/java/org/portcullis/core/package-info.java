/** Platform services every Portcullis bundle may use: product version, maintenance mode, atomic file writes. */
@Export
@Version("1.2.0")
package org.portcullis.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
