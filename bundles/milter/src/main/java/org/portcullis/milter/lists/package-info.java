/**
 * The hook through which Allow and Block lists take part in the milter's decision. The lists
 * bundle registers one {@link org.portcullis.milter.lists.ListPolicy} service; without one, no
 * list applies.
 */
@Export
@Version("1.0.0")
package org.portcullis.milter.lists;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
