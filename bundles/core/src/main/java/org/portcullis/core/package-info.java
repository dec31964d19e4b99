/** Platform services every Portcullis bundle may use: product version, maintenance mode, atomic file writes, time filters, the certificate a TLS server presents, gauges offered to the metrics. */
@Export
@Version("1.4.0")
package org.portcullis.core;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
