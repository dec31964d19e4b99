/** Platform services every Portcullis bundle may use: product version and maintenance mode. */
@Export
@Version("1.0.0")
package org.portcullis.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
