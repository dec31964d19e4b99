/**
 * The sandbox's analyser SPI ({@link org.portcullis.sandbox.SandboxAnalyzer}): third parties add
 * analysers of held mail's attachments as OSGi services.
 */
@Export
@Version("1.0.0")
package org.portcullis.sandbox;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
