/**
 * What other bundles need to publish their own resources under {@code /api/v1}: the
 * application's name to select, and the caller's account; and the HTTPS certificate, which the
 * ACME bundle replaces while the API runs.
 */
@Export
@Version("1.3.0")
package org.portcullis.rest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
