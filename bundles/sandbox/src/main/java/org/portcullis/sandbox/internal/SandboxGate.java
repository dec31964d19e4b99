package org.portcullis.sandbox.internal;

import java.time.Duration;

import org.portcullis.scanner.Message;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.ScanResult;

/**
 * The part scanner {@code sandbox} (category {@code SANDBOX}): on the mail path, it says which
 * messages the sandbox holds, by the policy {@code hold}: {@code risky} (programs and scripts by
 * detected type or file name, archives, PDF and Office documents), {@code attachments} (any part
 * with a file name, or not text), or {@code off}. Its "suspicious" makes the milter's policy hold
 * the message, and the milter files it in the quarantine as {@code sandbox}; the analysis happens
 * after the MTA has its answer.
 */
final class SandboxGate implements PartScanner {

    enum Hold { OFF, RISKY, ATTACHMENTS }

    private final Hold hold;

    SandboxGate(Hold hold) {
        this.hold = hold;
    }

    @Override
    public String name() {
        return "sandbox";
    }

    @Override
    public Category category() {
        return Category.SANDBOX;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(10);
    }

    @Override
    public ScanResult scan(Message message, Part part) {
        if (part.container() || !holds(part)) {
            return ScanResult.clean();
        }
        return ScanResult.suspicious("sandbox: " + part.filename().orElse(part.detectedType()) + " is analysed first");
    }

    boolean holds(Part part) {
        return switch (hold) {
            case OFF -> false;
            case ATTACHMENTS -> part.filename().isPresent() || !part.detectedType().startsWith("text/");
            case RISKY -> Risk.executable(part.detectedType(), part.filename()) || Risk.DOCUMENT_TYPES.contains(part.detectedType())
                    || Risk.DOCUMENT_TYPES.contains(part.declaredType()) || java.util.Set.of("zip", "pdf", "doc", "docx", "docm", "xls", "xlsx",
                            "xlsm", "ppt", "pptx", "pptm", "rtf", "7z", "rar").contains(Risk.extension(part.filename()));
        };
    }
}
