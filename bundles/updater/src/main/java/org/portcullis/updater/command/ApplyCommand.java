package org.portcullis.updater.command;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "update", name = "apply", description = "Applies an update package: prechecks, maintenance on, bundles swapped, one database commit, maintenance back;"
        + " with --cluster on every node of the cluster, one at a time")
@Service
public class ApplyCommand extends UpdateAction {

    /** The last line of every update's log starts with this. */
    static final String LAST = "006: ";

    @Argument(name = "FILE", description = "An update package: a name as update:list shows it, or a path (default: the newest kept package)")
    @Completion(value = PackageCompleter.class)
    String file;

    @Option(name = "--cluster", aliases = "-c", description = "Update every node of the cluster, one at a time: Secondaries first, the Primary last;"
            + " stops at the first node that fails")
    boolean cluster;

    @Override
    protected void run() throws Exception {
        Path log = cluster ? updates.applyCluster(packageFile(file)) : updates.apply(packageFile(file));
        // a cluster update's log is quiet while one node's own update runs (up to update.node.timeout.s)
        String last = follow(log, cluster ? Duration.ofHours(2) : Duration.ofMinutes(15));
        if (!last.equals(LAST + "OK")) {
            throw new IllegalStateException(last.substring(LAST.length()) + " (log: " + log + ")");
        }
    }

    /**
     * Prints the log as the update writes it, until its last line. Reads the file, not a service:
     * the update swaps the bundle this command came from, and the file goes on.
     */
    static String follow(Path log, Duration quietLimit) throws IOException, InterruptedException {
        long offset = 0;
        long quietSince = System.nanoTime();
        StringBuilder partial = new StringBuilder();
        while (true) {
            if (Files.isRegularFile(log) && Files.size(log) > offset) {
                try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                    f.seek(offset);
                    byte[] bytes = new byte[(int) Math.min(1 << 20, f.length() - offset)];
                    f.readFully(bytes);
                    offset += bytes.length;
                    partial.append(new String(bytes, StandardCharsets.UTF_8));
                }
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 1);
                    System.out.println(line);
                    System.out.flush();
                    if (line.startsWith(LAST)) {
                        return line;
                    }
                }
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > quietLimit.toNanos()) {
                return LAST + "the log has been quiet for " + quietLimit.toMinutes() + " minutes; the update may still run: update:status";
            }
            Thread.sleep(100);
        }
    }
}
