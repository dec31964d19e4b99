/** Where a message's bytes wait while it is scanned: memory up to a threshold, then a private temp file. */
package org.portcullis.milter.internal.spool;
