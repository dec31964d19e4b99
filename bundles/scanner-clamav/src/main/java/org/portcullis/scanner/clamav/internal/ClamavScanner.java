package org.portcullis.scanner.clamav.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.MessageScanner;
import org.portcullis.scanner.ScanResult;

/**
 * The ClamAV scanner: streams each whole message to clamd, which unpacks MIME parts and
 * archives itself. A message clamd cannot scan (clamd down, too slow, too large) is
 * {@link ScanResult.Failed}, never clean.
 */
@Component(service = MessageScanner.class, configurationPid = "org.portcullis.scanner.clamav")
@Designate(ocd = ClamavScanner.Config.class)
public class ClamavScanner implements MessageScanner {

    @ObjectClassDefinition(name = "Portcullis ClamAV scanner")
    @interface Config {
        @AttributeDefinition(description = "Where clamd listens: host:port, or unix:/path/to/clamd.ctl")
        String address() default "127.0.0.1:3310";

        @AttributeDefinition(description = "How long one scan may take, in seconds")
        int timeout_seconds() default 60;

        @AttributeDefinition(description = "Largest message sent to clamd, in bytes; must not exceed clamd's StreamMaxLength")
        long stream_max_bytes() default 25L * 1024 * 1024;

        @AttributeDefinition(description = "Most scans sent to clamd at once (keep at or below clamd's MaxThreads)")
        int max_connections() default 8;
    }

    private ScheduledExecutorService deadlines;
    private volatile ClamdClient client;
    private volatile Duration timeout = Duration.ofSeconds(60);

    @Activate
    void activate(Config config) {
        deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portcullis-clamav-deadlines");
            t.setDaemon(true);
            return t;
        });
        timeout = Duration.ofSeconds(Math.max(1, config.timeout_seconds()));
        client = new ClamdClient(ClamdAddress.parse(config.address()), timeout, config.stream_max_bytes(),
                Math.max(1, config.max_connections()), deadlines);
    }

    @Deactivate
    void deactivate() {
        client.close();
        deadlines.shutdownNow();
    }

    @Override
    public String name() {
        return "clamav";
    }

    @Override
    public Category category() {
        return Category.VIRUS;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public ScanResult scan(Message message) throws IOException, InterruptedException {
        return client.scan(message::openRaw, message.size());
    }

    /** Whether clamd answers; for health reports. */
    public boolean healthy() {
        return client.ping();
    }
}
