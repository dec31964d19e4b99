/** The tracking store, its writer and its retention. */
package org.portcullis.tracking.internal;
