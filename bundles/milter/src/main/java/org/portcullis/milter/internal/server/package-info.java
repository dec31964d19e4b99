/** The milter's TCP server: accepts MTA connections and gives each its own session. */
package org.portcullis.milter.internal.server;
