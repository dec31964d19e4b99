/** REST resources {@code /api/v1/backups}. */
package org.portcullis.backup.rest;
