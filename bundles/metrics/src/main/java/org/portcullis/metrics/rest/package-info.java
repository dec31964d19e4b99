/** GET /api/v1/metrics. */
package org.portcullis.metrics.rest;
