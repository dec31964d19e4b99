package org.portcullis.storage.internal;

import java.nio.file.Paths;

/** Child-JVM helper for {@link EmbeddedPostgresServerTest}: starts the server, says READY, and waits to be killed. */
public final class OrphanMaker {

    private OrphanMaker() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer.start(Paths.get(args[0]), Integer.parseInt(args[1]));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
