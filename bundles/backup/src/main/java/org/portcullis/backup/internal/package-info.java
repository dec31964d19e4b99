/** The segmented AES-256-GCM stream and its key derivation. */
package org.portcullis.backup.internal;
