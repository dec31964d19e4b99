/** The quarantine's store, its re-injection over SMTP and its retention. */
package org.portcullis.quarantine.internal;
