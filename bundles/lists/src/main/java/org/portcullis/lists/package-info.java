/**
 * Allow and Block lists: what an entry is ({@link org.portcullis.lists.ListEntry}), how its
 * parts are written and checked ({@link org.portcullis.lists.Scope},
 * {@link org.portcullis.lists.Pattern}), and how a message is judged against them.
 */
@Export
@Version("1.1.0")
package org.portcullis.lists;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
