package org.portcullis.milter.internal.pipeline;

import java.time.Duration;

import org.portcullis.scanner.ScanResult;

/**
 * What one scanner said about one message, and how long it took.
 *
 * @param scanner the scanner's name
 * @param result its result (for a part scanner, the worst over the message's parts)
 * @param took wall time from start to result
 */
public record ScannerOutcome(String scanner, ScanResult result, Duration took) {
}
