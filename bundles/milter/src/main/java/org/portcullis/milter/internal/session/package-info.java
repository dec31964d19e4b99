/**
 * Layer 2 of the milter: option negotiation and the legal order of commands within one milter
 * connection. Pure logic, no I/O; the server drives it.
 */
package org.portcullis.milter.internal.session;
