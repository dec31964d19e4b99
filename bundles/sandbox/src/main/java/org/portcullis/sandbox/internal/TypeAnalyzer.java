package org.portcullis.sandbox.internal;

import org.portcullis.sandbox.Finding;
import org.portcullis.sandbox.SandboxAnalyzer;
import org.portcullis.scanner.Part;

/**
 * Built-in analyser {@code type}: an attachment that is a program or script, by its detected type
 * (Tika's magic, whatever its name and declared type say) or by a file name that would run it.
 */
final class TypeAnalyzer implements SandboxAnalyzer {

    @Override
    public String name() {
        return "type";
    }

    @Override
    public Finding analyze(Part attachment) {
        String detected = attachment.detectedType();
        if (Risk.EXECUTABLE_TYPES.contains(detected)) {
            boolean disguised = !Risk.EXECUTABLE_EXTENSIONS.contains(Risk.extension(attachment.filename()));
            return Finding.malicious((disguised ? "executable in disguise" : "executable") + " (detected " + detected + ", declared "
                    + attachment.declaredType() + ")");
        }
        if (Risk.EXECUTABLE_EXTENSIONS.contains(Risk.extension(attachment.filename()))) {
            return Finding.malicious("a file name that runs as a program (." + Risk.extension(attachment.filename()) + ")");
        }
        return Finding.clean();
    }
}
