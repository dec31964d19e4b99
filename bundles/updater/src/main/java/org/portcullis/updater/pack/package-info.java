/** update-pack: builds and signs an update package from two distributions. Runs outside the container. */
package org.portcullis.updater.pack;
