/** The Portcullis database: schema migrations each bundle runs on its own schema, storage status, and what an update does to it. */
@Export
@Version("1.1.0")
package org.portcullis.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
