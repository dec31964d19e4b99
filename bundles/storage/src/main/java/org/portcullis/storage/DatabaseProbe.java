package org.portcullis.storage;

/**
 * What one connection to another database found ({@link Storage#probe}).
 *
 * @param url the URL without its password, as it may be shown
 * @param productVersion the product version that database was committed at; empty when it has none
 */
public record DatabaseProbe(String url, String productVersion) {
}
