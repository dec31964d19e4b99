/** GET /api/v1/messages. */
package org.portcullis.tracking.rest;
