package org.portcullis.updater.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a configured command (no shell, stdin from /dev/null) to its end within a time limit: its exit status and output. */
final class Command {

    /** What it printed on stdout and on stderr, and how it exited. */
    record Result(int exit, String out, String err) {
        /** The last line it printed on stderr, else on stdout; empty if none. */
        String lastLine() {
            String text = (err.isBlank() ? out : err).strip();
            return text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
        }
    }

    private Command() {
    }

    static Result run(List<String> argv, Duration limit) throws IOException {
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // both read in the background, so a chatty command cannot block on a full pipe
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " took longer than " + limit.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", argv));
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
