/**
 * What every bundle's Karaf shell commands share: {@link org.portcullis.auth.shell.AccountCommand},
 * the base that checks the caller's account and right before a command runs, and
 * {@link org.portcullis.auth.shell.ShellAccess}, the checks themselves. Kept apart from
 * {@code org.portcullis.auth} so the account API carries no Karaf shell types.
 */
@Export
@Version("1.1.0")
package org.portcullis.auth.shell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
