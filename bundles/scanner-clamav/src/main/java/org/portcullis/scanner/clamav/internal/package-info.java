/** The ClamAV scanner: a clamd INSTREAM client and the component that registers it as a scanner. */
package org.portcullis.scanner.clamav.internal;
