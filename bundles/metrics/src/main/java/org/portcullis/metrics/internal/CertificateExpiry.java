package org.portcullis.metrics.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.acme.CertificateStatus;
import org.portcullis.acme.Certificates;

/**
 * The ACME certificate's expiry for the metrics. A component of its own, so that the metrics
 * bundle imports the ACME API optionally and runs without it (the gauge is then absent).
 */
@Component(service = CertificateExpiry.class)
public class CertificateExpiry {

    @Reference
    private Certificates certificates;

    /** When the newest certificate expires, in Unix seconds; NaN without one or when its status cannot be read. */
    double notAfter() {
        try {
            CertificateStatus.Issued c = certificates.status().certificate();
            return c == null ? Double.NaN : c.notAfter().getEpochSecond();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
