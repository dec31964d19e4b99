/** Test kit for scanner authors: {@link org.portcullis.scanner.testkit.TestMessage} and {@link org.portcullis.scanner.testkit.ScannerContractTest}. */
package org.portcullis.scanner.testkit;
