/**
 * What other bundles need to publish their own resources under {@code /api/v1}: the
 * application's name to select, and the caller's account.
 */
@Export
@Version("1.2.0")
package org.portcullis.rest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
