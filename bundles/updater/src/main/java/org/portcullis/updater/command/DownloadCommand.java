package org.portcullis.updater.command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.updater.Updates.Offer;

@Command(scope = "update", name = "download", description = "Downloads the offered update (resuming a partial download), verifies it and keeps it for update:apply")
@Service
public class DownloadCommand extends UpdateAction {

    @Argument(name = "VERSION", description = "The to-version to download; by default the only one offered")
    String version;

    @Override
    protected void run() throws Exception {
        List<Offer> offers = updates.check();
        List<Offer> chosen = offers.stream().filter(o -> version == null || o.to().equals(version)).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(version == null ? "no update is offered for the running version (update:check)"
                    : "the update URL offers no update to " + version + " for the running version (update:check)");
        }
        if (chosen.size() > 1) {
            throw new IllegalArgumentException("several updates are offered; name one: update:download "
                    + String.join(" | ", chosen.stream().map(Offer::to).toList()));
        }
        Offer offer = chosen.get(0);
        long[] last = {0};
        Path kept = updates.download(offer, (done, total) -> {
            long now = System.nanoTime();
            if (now - last[0] > 500_000_000L || done.equals(total)) {
                last[0] = now;
                System.out.print("\rDownloading " + offer.name() + ": " + mib(done) + (total < 0 ? "" : " of " + mib(total)) + "   ");
                System.out.flush();
            }
        });
        System.out.println();
        System.out.println("Kept " + kept.getFileName() + " (" + mib(Files.size(kept)) + "): signature and every file verified. Next: update:precheck "
                + kept.getFileName());
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
