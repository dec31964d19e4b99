/** /api/v1/quarantine. */
package org.portcullis.quarantine.rest;
