/** {@code /api/v1/certificates} (right {@code certificates}). */
package org.portcullis.acme.rest;
