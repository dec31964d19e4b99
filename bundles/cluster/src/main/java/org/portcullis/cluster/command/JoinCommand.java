package org.portcullis.cluster.command;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;
import org.portcullis.auth.Right;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.cluster.ClusterException;
import org.portcullis.core.ProductInfo;
import org.portcullis.storage.DatabaseProbe;
import org.portcullis.storage.Storage;

/**
 * {@code cluster:join URL}: points this node's storage at the cluster's PostgreSQL, once that
 * database has answered with the credentials given and is on this node's version. The node's own
 * embedded database is left as it is (under {@code data/postgresql}); nothing in the cluster's
 * database is removed.
 */
@Command(scope = "cluster", name = "join", description = "Joins the cluster on the PostgreSQL at URL (this node's own database is kept as it is)")
@Service
public class JoinCommand extends AccountCommand {

    @Argument(index = 0, name = "url", required = true, description = "The cluster's database: jdbc:postgresql://host:port/database")
    String url;

    @Option(name = "-u", aliases = "--user", description = "The database user (default portcullis)")
    String user = "portcullis";

    @Option(name = "-p", aliases = "--password-file", description = "A file holding the database password (never give it on the command line)")
    String passwordFile;

    @Reference
    Storage storage;

    @Reference
    ProductInfo product;

    @Reference
    ConfigurationAdmin configAdmin;

    @Override
    protected Right required() {
        return Right.CLUSTER;
    }

    @Override
    protected void run() throws Exception {
        String password = "";
        if (passwordFile != null) {
            try {
                password = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
            } catch (java.io.IOException e) {
                throw new ClusterException("cannot read the password file " + passwordFile + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        DatabaseProbe probe = storage.probe(url, user, password);
        if (!probe.productVersion().isEmpty() && !probe.productVersion().equals(product.version())) {
            throw new ClusterException("the cluster at " + probe.url() + " runs " + probe.productVersion() + " and this node "
                    + product.version() + ": update this node to " + probe.productVersion() + " first; nothing changed");
        }
        if (url.strip().equals(StorageSettings.url(configAdmin))) {
            System.out.println("This node uses the database at " + probe.url() + " already");
            return;
        }
        Map<String, String> changes = new HashMap<>();
        changes.put("url", url.strip());
        changes.put("user", user);
        changes.put("password", password.isEmpty() ? null : password);
        StorageSettings.set(configAdmin, changes);
        System.out.println("This node now uses the database at " + probe.url() + " and joins the cluster there as its storage restarts "
                + "(cluster:status shows it within seconds; the accounts are the cluster's from now on). Its own embedded database is kept "
                + "as it was.");
    }
}
