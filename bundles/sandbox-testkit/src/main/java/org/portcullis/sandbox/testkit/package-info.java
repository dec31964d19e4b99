/** For the tests of sandbox analysers ({@link org.portcullis.sandbox.SandboxAnalyzer}): the contract test to extend. */
package org.portcullis.sandbox.testkit;
