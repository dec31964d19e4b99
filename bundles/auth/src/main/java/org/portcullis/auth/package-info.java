/**
 * Portcullis accounts: one store for the Karaf shell (console and SSH), the REST API and the web
 * console. {@link org.portcullis.auth.Accounts} is the service; roles, rights and the checks that
 * commands and endpoints make are here too.
 */
@Export
@Version("2.1.0")
package org.portcullis.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
