/** The storage lifecycle: embedded or external PostgreSQL, the pool, health checks and the migration runner. */
package org.portcullis.storage.internal;
