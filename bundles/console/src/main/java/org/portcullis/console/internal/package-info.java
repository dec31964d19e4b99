/** The servlets that serve the web console's files and send the site's root to it, with the headers that keep it safe. */
package org.portcullis.console.internal;
