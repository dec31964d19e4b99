/** The sandbox's gate, its analysis runner and analysers, and its loop over held mail. */
package org.portcullis.sandbox.internal;
