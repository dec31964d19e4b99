package org.portcullis.cluster.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.osgi.annotation.bundle.Capability;
import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.cluster.Cluster;
import org.portcullis.core.ProductInfo;
import org.portcullis.core.cluster.ClusterRole;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.portcullis.storage.StorageException;
import org.portcullis.storage.UpdateDatabase;
import org.portcullis.updater.Updates;
import org.portcullis.updater.spi.ClusterNodes;
import org.portcullis.updater.spi.ClusterUpdate;

/**
 * This node in the cluster: its schema migrated, its id, its heartbeat and lease
 * ({@link Membership}); registers {@link ClusterRole} for the bundles' Primary-only jobs, {@link
 * Cluster} for commands and REST, {@link ClusterNodes} for the updater's precheck, and {@link
 * ClusterUpdate} for {@code update:apply --cluster}, whose turns its agent takes on this node.
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = ClusterService.SCHEMA)
// registered by hand (only once the membership runs), so the resolver is told what DS would have said
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.portcullis.core.cluster.ClusterRole,"
        + "org.portcullis.cluster.Cluster,org.portcullis.updater.spi.ClusterNodes,org.portcullis.updater.spi.ClusterUpdate\"",
        uses = {ClusterRole.class, Cluster.class, ClusterNodes.class, ClusterUpdate.class})
@Component(service = {}, immediate = true, configurationPid = "org.portcullis.cluster")
@Designate(ocd = ClusterConfig.class)
public class ClusterService {

    static final String SCHEMA = "cluster";

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    @Reference
    private UpdateDatabase database;

    @Reference
    private ProductInfo product;

    @Reference
    private ConfigurationAdmin configAdmin;

    /** This node's updater: a cluster update's turn here runs through it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Updates updates;

    private Membership membership;
    private Rollouts rollouts;
    private SharedSettings settings;
    private ServiceRegistration<?> registration;
    private ServiceRegistration<ConfigurationListener> configListener;
    private ServiceRegistration<ClusterUpdate> updateRegistration;

    @Activate
    void activate(BundleContext context, ClusterConfig config) throws MigrationException, IOException {
        // everything that can be wrong in the configuration is found before anything starts
        Duration heartbeat = Duration.ofMillis(config.heartbeat_ms());
        Duration lease = Duration.ofMillis(config.lease_ms());
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("org.portcullis.cluster: heartbeat.ms must be above 0, not " + config.heartbeat_ms());
        }
        Map<String, java.util.Set<String>> shared = SharedSettings.parse(config.shared_settings());
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        String id = NodeId.of(Path.of(System.getProperty("karaf.data", "data"), "portcullis", "node-id"));
        // a database that does not answer within one lease is taken for down
        membership = new Membership(new ClusterStore(ds, lease), id, config.address().isBlank() ? hostName() : config.address().strip(),
                product.version(), this::clusterVersion, heartbeat, lease, System::nanoTime);
        membership.start();
        try {
            settings = new SharedSettings(ds, new ConfigAdminLocal(configAdmin), shared, id, product.version(), membership::runsClusterVersion,
                    Duration.ofSeconds(Math.max(1, config.settings_poll_s()))).start();
            SharedSettings live = settings;
            configListener = context.registerService(ConfigurationListener.class, event -> {
                if (event.getFactoryPid() == null
                        && (event.getType() == ConfigurationEvent.CM_UPDATED || event.getType() == ConfigurationEvent.CM_DELETED)) {
                    live.changed(event.getPid());
                }
            }, null);
            // a node's update can take long (an OS step): its database work gets a minute per statement, not a lease
            rollouts = new Rollouts(new RolloutStore(new ClusterStore(ds, Duration.ofMinutes(1))), membership, product.version(),
                    () -> Optional.ofNullable(updates), Path.of(System.getProperty("karaf.data", "data"), "portcullis", "updates"),
                    lease.multipliedBy(3), Duration.ofSeconds(Math.max(60, config.update_node_timeout_s())), Duration.ofSeconds(60));
            rollouts.start(heartbeat);
            membership.updateStatus(rollouts::status);
            registration = context.registerService(new String[] {ClusterRole.class.getName(), Cluster.class.getName(), ClusterNodes.class.getName()},
                    membership, new Hashtable<>(Map.of("node.id", id)));
            updateRegistration = context.registerService(ClusterUpdate.class, rollouts, new Hashtable<>(Map.of("node.id", id)));
        } catch (RuntimeException e) {
            deactivate(); // DS does not deactivate what failed to activate: the heartbeat must not outlive it
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        if (updateRegistration != null) {
            updateRegistration.unregister();
            updateRegistration = null;
        }
        if (rollouts != null) {
            rollouts.stop();
        }
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        if (configListener != null) {
            configListener.unregister();
            configListener = null;
        }
        if (settings != null) {
            settings.close();
        }
        membership.stop();
    }

    private Optional<String> clusterVersion() {
        try {
            return database.productVersion();
        } catch (StorageException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
