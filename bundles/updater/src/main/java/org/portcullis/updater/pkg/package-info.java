/** The update package format (docs/UPDATE-FORMAT.md): manifest, signature, reading and writing. Private to the updater and update-pack. */
package org.portcullis.updater.pkg;
