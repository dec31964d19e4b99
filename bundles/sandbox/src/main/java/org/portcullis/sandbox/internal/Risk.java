package org.portcullis.sandbox.internal;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What the sandbox counts as executable or as worth analysing, by detected type and by file name. */
final class Risk {

    /** Types Tika detects for programs and scripts. */
    static final Set<String> EXECUTABLE_TYPES = Set.of("application/x-msdownload", "application/x-dosexec", "application/x-executable",
            "application/x-elf", "application/x-sharedlib", "application/x-mach-o-executable", "application/x-ms-installer",
            "application/x-sh", "application/x-bat", "application/x-msdos-program", "application/java-vm", "application/x-java-jnlp-file");

    /** File name endings Windows or a mail client would run. */
    static final Set<String> EXECUTABLE_EXTENSIONS = Set.of("exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf",
            "wsh", "ps1", "jar", "msi", "hta", "lnk", "cpl", "dll", "reg", "iso", "img");

    /** Types the default policy sends to the sandbox besides executables: archives, Office documents, PDF. */
    static final Set<String> DOCUMENT_TYPES = Set.of("application/zip", "application/x-7z-compressed", "application/x-rar-compressed",
            "application/vnd.rar", "application/gzip", "application/x-tar", "application/pdf", "application/msword",
            "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/x-tika-msoffice", "application/x-tika-ooxml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/rtf");

    private Risk() {
    }

    static String extension(Optional<String> filename) {
        String name = filename.orElse("");
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT).strip();
    }

    static boolean executable(String detectedType, Optional<String> filename) {
        return EXECUTABLE_TYPES.contains(detectedType) || EXECUTABLE_EXTENSIONS.contains(extension(filename));
    }
}
