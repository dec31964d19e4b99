/** An example of a third-party sandbox analyser (docs/SANDBOX-SPI.md). */
package org.portcullis.example.credentialform;
