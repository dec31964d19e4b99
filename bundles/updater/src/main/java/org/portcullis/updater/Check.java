package org.portcullis.updater;

/** One precheck's result: what was checked, whether it passed, and why, in one line. */
public record Check(String name, boolean passed, String reason) {

    public static Check pass(String name, String reason) {
        return new Check(name, true, reason);
    }

    public static Check fail(String name, String reason) {
        return new Check(name, false, reason);
    }

    /** {@code PASS name  reason}, as {@code update:precheck} prints it. */
    public String line() {
        return String.format("%s %-10s %s", passed ? "PASS" : "FAIL", name, reason);
    }
}
