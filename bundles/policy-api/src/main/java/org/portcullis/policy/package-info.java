/**
 * What the milter decides about a message ({@link org.portcullis.policy.Verdict}) and the
 * Allow/Block list contract it asks ({@link org.portcullis.policy.ListPolicy}), and where held mail
 * goes ({@link org.portcullis.policy.MessageHold}): small, so the
 * lists, the sandbox and the quarantine depend on this and not on the milter and its libraries.
 */
@Export
@Version("1.2.0")
package org.portcullis.policy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
