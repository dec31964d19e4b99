/** {@code /api/v1/updates}: the update:* operations over REST, with downloads and applies as jobs. */
package org.portcullis.updater.rest;
