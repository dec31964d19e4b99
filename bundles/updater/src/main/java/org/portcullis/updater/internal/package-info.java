/** The updater's implementation: kept packages, prechecks. */
package org.portcullis.updater.internal;
