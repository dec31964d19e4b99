package org.portcullis.sandbox.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.testkit.TestMessage;

/**
 * The contract every sandbox analyser keeps ({@link SandboxAnalyzer}'s Javadoc). An analyser's
 * test extends this class, returns its analyser from {@link #analyzer()}, and adds tests of what
 * it finds:
 *
 * <pre>
 * class MyAnalyzerTest extends SandboxAnalyzerContractTest&lt;MyAnalyzer&gt; {
 *     protected MyAnalyzer analyzer() { return new MyAnalyzer(); }
 *
 *     &#64;Test void findsTheBadThing() throws Exception {
 *         assertTrue(analyze(attachment("x.html", "text/html", bytes)).malicious());
 *     }
 * }
 * </pre>
 *
 * Override {@link #cleanAttachment()} when the default (a short text file) is not clean for your
 * analyser, and {@link #maliciousAttachment()} to have the kit check a finding's form too.
 */
public abstract class SandboxAnalyzerContractTest<A extends SandboxAnalyzer> {

    /** The analyser under test, ready (connected to its engine, if it has one). */
    protected abstract A analyzer();

    /** An attachment the analyser must find clean. */
    protected Part cleanAttachment() {
        return attachment("minutes.txt", "text/plain", "Minutes of Monday's meeting.\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** An attachment the analyser must find malicious; empty (the default) to skip that check. */
    protected Optional<Part> maliciousAttachment() {
        return Optional.empty();
    }

    /** An attachment as the sandbox gives it: a part of a message, {@code type} declared and detected alike. */
    protected static Part attachment(String filename, String type, byte[] content) {
        return attachment(filename, type, type, content);
    }

    /** The same, with a declared type that differs from the detected one (content that lies about itself). */
    protected static Part attachment(String filename, String declaredType, String detectedType, byte[] content) {
        return TestMessage.builder().text("see attached\r\n").attachment(filename, declaredType, detectedType, content).build().parts()
                .stream().filter(p -> !p.container() && p.filename().isPresent()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the test message has no attachment part"));
    }

    /** Analyses {@code attachment} as the sandbox does (one call, on the caller's thread). */
    protected Finding analyze(Part attachment) throws Exception {
        return analyzer().analyze(attachment);
    }

    @Test
    void nameIsShortAndStable() {
        String name = analyzer().name();
        assertNotNull(name);
        assertTrue(name.matches("[A-Za-z0-9-]{1,64}"), "name '" + name + "' must be 1-64 letters, digits or '-'");
        assertEquals(name, analyzer().name(), "the name must not change");
    }

    @Test
    void deadlineIsPositiveAndAtMostTenMinutes() {
        Duration deadline = analyzer().deadline();
        assertNotNull(deadline);
        assertTrue(!deadline.isNegative() && !deadline.isZero(), "deadline must be positive, was " + deadline);
        assertTrue(deadline.compareTo(Duration.ofMinutes(10)) <= 0, "deadline must be at most 10 minutes, was " + deadline);
    }

    @Test
    void aCleanAttachmentIsCleanWithinTheDeadline() throws Exception {
        long start = System.nanoTime();
        Finding f = analyze(cleanAttachment());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertNotNull(f, "analyze must never return null");
        assertEquals(Finding.clean(), f);
        assertTrue(took.compareTo(analyzer().deadline()) < 0, "took " + took + ", deadline " + analyzer().deadline());
    }

    @Test
    void aMaliciousFindingSaysWhyOnOneLine() throws Exception {
        Optional<Part> bad = maliciousAttachment();
        if (bad.isEmpty()) {
            return;
        }
        Finding f = analyze(bad.get());
        assertTrue(f.malicious(), "the malicious attachment was found clean");
        assertFalse(f.reason().isBlank());
        assertFalse(f.reason().contains("\n") || f.reason().contains("\r"), f.reason());
    }

    @Test
    void contentThatCannotBeReadIsNeverClean() {
        // shaped like the malicious attachment when there is one: a kind of content the analyser reads
        Part clean = maliciousAttachment().orElseGet(this::cleanAttachment);
        java.util.concurrent.atomic.AtomicBoolean opened = new java.util.concurrent.atomic.AtomicBoolean();
        Part unreadable = new Part() {
            public String path() {
                return clean.path();
            }

            public String declaredType() {
                return clean.declaredType();
            }

            public String detectedType() {
                return clean.detectedType();
            }

            public Optional<String> filename() {
                return clean.filename();
            }

            public long size() {
                return clean.size();
            }

            public boolean container() {
                return false;
            }

            public InputStream open() throws IOException {
                opened.set(true);
                throw new IOException("the spool is gone");
            }
        };
        Finding f;
        try {
            f = analyze(unreadable);
        } catch (Exception e) {
            return; // a failure: the sandbox retries, and never delivers for it
        }
        assertNotNull(f, "analyze must never return null");
        // an analyser that never reads the content may answer from the name and types; one that tried must not call it clean
        assertFalse(opened.get() && !f.malicious(), "content that could not be read was found clean");
    }

    @Test
    void manyAttachmentsAtOnceAreAnsweredAlike() throws Exception {
        Finding alone = analyze(cleanAttachment());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Finding>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(() -> analyze(cleanAttachment()));
            }
            for (Future<Finding> f : pool.invokeAll(calls)) {
                assertEquals(alone, f.get(), "a concurrent analysis gave another answer");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
