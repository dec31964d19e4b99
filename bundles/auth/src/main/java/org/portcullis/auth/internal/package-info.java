/** The account store, password hashing, lockout, the JAAS realm and first boot. */
package org.portcullis.auth.internal;
