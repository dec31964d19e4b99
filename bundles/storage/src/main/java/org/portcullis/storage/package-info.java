/** The Portcullis database: schema migrations each bundle runs on its own schema, storage status, what an update does to it, and change notifications between nodes. */
@Export
@Version("1.2.0")
package org.portcullis.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
