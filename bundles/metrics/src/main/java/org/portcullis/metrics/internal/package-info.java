/** The metrics and their sources. */
package org.portcullis.metrics.internal;
