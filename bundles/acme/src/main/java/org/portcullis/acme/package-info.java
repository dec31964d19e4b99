/**
 * ACME certificates for the HTTPS API and Postfix: {@link org.portcullis.acme.Certificates} (what
 * the commands and the REST API use) and {@link org.portcullis.acme.DnsChallengeSolver}, the SPI a
 * DNS provider's bundle implements for DNS-01.
 */
@Export
@Version("1.0.0")
package org.portcullis.acme;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
