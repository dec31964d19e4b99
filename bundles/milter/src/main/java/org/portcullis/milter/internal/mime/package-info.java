/** MIME structure of a spooled message: decoded parts with declared and detected types, for the scanners. */
package org.portcullis.milter.internal.mime;
