package org.portcullis.core;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A number a bundle offers to the metrics, registered as a service: the metrics bundle shows each
 * registered gauge at {@code /api/v1/metrics} while it is registered, reading it at every scrape.
 * The metrics bundle and the offering bundle need not know each other.
 */
@ConsumerType
public interface Gauge {

    /** The Prometheus name: {@code portcullis_} followed by lower-case letters, digits and '_'. */
    String name();

    /** One line saying what it is. */
    String help();

    /** The value now, read at each scrape (keep it cheap); NaN when there is none (the gauge is then absent). */
    double value();
}
