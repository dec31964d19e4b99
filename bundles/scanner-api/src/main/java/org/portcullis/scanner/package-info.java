/**
 * The scanner SPI: what a third-party scanner implements ({@link org.portcullis.scanner.MessageScanner}
 * or {@link org.portcullis.scanner.PartScanner}), what it sees of a message, and what it answers.
 * See docs/SCANNER-SPI.md for how to write, test and hot-install a scanner bundle.
 */
@Export
@Version("1.2.0")
package org.portcullis.scanner;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
