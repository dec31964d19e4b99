/** The Portcullis database: schema migrations each bundle runs on its own schema, and storage status. */
@Export
@Version("1.0.0")
package org.portcullis.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
