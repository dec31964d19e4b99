/** Implementations of the core services and the first-boot admin account. */
package org.portcullis.core.internal;
