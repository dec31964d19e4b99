package org.portcullis.storage.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.annotation.bundle.Capability;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.portcullis.storage.StorageStatus;
import org.portcullis.storage.StorageStatus.Pool;
import org.portcullis.storage.StorageStatus.SchemaVersion;
import org.portcullis.core.AtomicFiles;
import org.portcullis.storage.Migration;
import org.portcullis.storage.DatabaseProbe;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.StorageException;
import org.portcullis.storage.UpdateDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the database of this node. On activation it starts the embedded PostgreSQL when no URL
 * is configured, opens a Hikari pool on the PostgreSQL driver's {@link DataSourceFactory}, and
 * registers it as the {@code DataSource} service ({@code dataSourceName=portcullis}). It then
 * checks the database at a fixed interval and registers the {@link SchemaMigrator} once the
 * database has answered, so components that own a schema activate only when they can migrate.
 *
 * <p>A configuration change re-activates the component: the old pool and embedded server are
 * closed and the new configuration takes over without a container restart. Nothing blocks the
 * activating thread; all start-up work runs on the component's own thread.
 */
// The DataSource and the SchemaMigrator are registered by hand (only while the database answers),
// so bnd cannot see them: declare them, or the feature resolver refuses bundles that require them.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=javax.sql.DataSource")
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=org.portcullis.storage.SchemaMigrator",
        uses = SchemaMigrator.class)
@Component(service = {Storage.class, UpdateDatabase.class}, configurationPid = "org.portcullis.storage", immediate = true)
@Designate(ocd = StorageConfig.class)
public class StorageManager implements Storage, UpdateDatabase {

    static final String DATA_SOURCE_NAME = "portcullis";
    private static final int EMBEDDED_RETRY_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(StorageManager.class);

    @Reference(target = "(osgi.jdbc.driver.class=org.postgresql.Driver)")
    private DataSourceFactory driver;

    private final Clock clock = Clock.systemUTC();
    private ScheduledExecutorService executor;
    private BundleContext context;
    private StorageConfig config;
    private boolean embeddedMode;

    private volatile String displayUrl;
    private volatile String startError = "";
    private volatile boolean closing;
    private int embeddedFailures;
    private volatile EmbeddedPostgresServer embedded;
    private volatile HikariDataSource pool;
    private volatile HealthMonitor health;
    private ServiceRegistration<DataSource> dataSourceRegistration;
    private ServiceRegistration<SchemaMigrator> migratorRegistration;

    @Activate
    void activate(BundleContext context, StorageConfig config) {
        this.context = context;
        this.config = config;
        this.embeddedMode = config.url().isBlank();
        this.displayUrl = embeddedMode ? "embedded PostgreSQL on 127.0.0.1:" + config.embedded_port()
                : JdbcUrls.redact(config.url().strip());
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "portcullis-storage"));
        executor.execute(this::start);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        closing = true;
        executor.shutdown();
        if (!executor.awaitTermination(90, TimeUnit.SECONDS)) {
            LOG.warn("Storage start-up did not finish within 90 s; closing anyway");
            executor.shutdownNow();
        }
        unregister(migratorRegistration);
        unregister(dataSourceRegistration);
        if (pool != null) {
            pool.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }

    private void start() {
        if (closing) {
            return; // a retry scheduled before the component stopped
        }
        String url;
        String user;
        String password;
        if (embeddedMode) {
            Path base = config.embedded_directory().isBlank()
                    ? Paths.get(System.getProperty("karaf.data", "data"), "postgresql")
                    : Paths.get(config.embedded_directory());
            try {
                embedded = EmbeddedPostgresServer.start(base, config.embedded_port());
            } catch (Exception e) {
                startError = "embedded PostgreSQL did not start: " + (e.getMessage() == null ? e.toString() : e.getMessage());
                if (embeddedFailures++ == 0) {
                    LOG.error("{} (directory {}, port {}); trying again every {} s; set a url in etc/org.portcullis.storage.cfg to use an "
                            + "external PostgreSQL instead", startError, base, config.embedded_port(), EMBEDDED_RETRY_SECONDS);
                } else {
                    LOG.debug("{} (attempt {})", startError, embeddedFailures);
                }
                // Another server may still hold the directory or the port (a storage bundle being
                // replaced by an update, a server left by a killed container): it goes, and this one starts.
                try {
                    executor.schedule(this::start, EMBEDDED_RETRY_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // the component is stopping
                }
                return;
            }
            if (embeddedFailures > 0) {
                LOG.info("Embedded PostgreSQL started after {} failed attempts", embeddedFailures);
            }
            startError = "";
            url = embedded.jdbcUrl();
            user = EmbeddedPostgresServer.USER;
            password = embedded.password();
        } else {
            url = config.url().strip();
            user = config.user();
            password = config.password();
            if (!password.isEmpty()) {
                keepPrivate(Paths.get(System.getProperty("karaf.etc", "etc"), "org.portcullis.storage.cfg"));
            }
        }
        displayUrl = JdbcUrls.redact(url) + (embeddedMode ? " (embedded)" : "");
        try {
            pool = openPool(url, user, password);
        } catch (SQLException | RuntimeException e) {
            startError = "cannot configure the connection pool for " + JdbcUrls.redact(url) + ": " + e.getMessage();
            LOG.error("{}; check etc/org.portcullis.storage.cfg", startError);
            return;
        }
        health = new HealthMonitor(pool, displayUrl, clock);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("dataSourceName", DATA_SOURCE_NAME);
        props.put("osgi.jndi.service.name", "jdbc/" + DATA_SOURCE_NAME);
        dataSourceRegistration = context.registerService(DataSource.class, pool, props);
        executor.scheduleWithFixedDelay(this::checkHealth, 0, Math.max(1, config.health_interval_seconds()),
                TimeUnit.SECONDS);
    }

    /** The file holding the database password: readable by the service user only. */
    private static void keepPrivate(Path cfg) {
        try {
            if (AtomicFiles.restrictToOwner(cfg)) {
                LOG.info("{} holds the database password: made it readable by its owner only (0600)", cfg);
            }
        } catch (IOException e) {
            LOG.warn("{} holds the database password but its permissions could not be set to 0600 ({}): set them by hand", cfg,
                    e.getMessage());
        }
    }

    private HikariDataSource openPool(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty(DataSourceFactory.JDBC_URL, url);
        p.setProperty(DataSourceFactory.JDBC_USER, user);
        if (!password.isEmpty()) {
            p.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
        }
        // a database behind a cut network sends no reset: without these a query would wait for TCP's own timeout
        if (!url.contains("socketTimeout=")) {
            p.setProperty("socketTimeout", Integer.toString(Math.max(0, config.socket_timeout_seconds())));
        }
        if (!url.contains("tcpKeepAlive=")) {
            p.setProperty("tcpKeepAlive", "true");
        }
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(driver.createDataSource(p));
        hc.setPoolName("portcullis");
        hc.setMaximumPoolSize(Math.max(1, config.pool_size()));
        hc.setMinimumIdle(1);
        long connectMillis = Math.max(1, config.connect_timeout_seconds()) * 1000L;
        hc.setConnectionTimeout(connectMillis);
        hc.setValidationTimeout(Math.min(connectMillis - 1, 5000L));
        // Start even when the database is down; the health monitor reports it and recovers.
        hc.setInitializationFailTimeout(-1);
        return new HikariDataSource(hc);
    }

    @Override
    public DatabaseProbe probe(String url, String user, String password) throws StorageException {
        String shown = JdbcUrls.redact(url.strip());
        if (!url.strip().startsWith("jdbc:postgresql://")) {
            throw new StorageException("'" + shown + "' is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)");
        }
        if (!shown.equals(url.strip())) {
            throw new StorageException("'" + shown + "' holds credentials: give the user with --user and the password in a file, "
                    + "so neither is in the URL (which is shown and kept in plain text)");
        }
        Properties p = new Properties();
        p.setProperty(DataSourceFactory.JDBC_URL, url.strip());
        p.setProperty(DataSourceFactory.JDBC_USER, user);
        if (!password.isEmpty()) {
            p.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
        }
        try {
            DataSource other = driver.createDataSource(p);
            other.setLoginTimeout((int) Math.max(1, config.connect_timeout_seconds()));
            try (Connection c = other.getConnection()) {
                return new DatabaseProbe(shown, ProductVersionRow.read(c).orElse(""));
            }
        } catch (SQLException | RuntimeException e) {
            // the driver may quote the URL it was given: the message is redacted like the URL
            throw new StorageException("cannot use the database at " + shown + " as " + user + ": " + JdbcUrls.redact(Errors.describe(e)), e);
        }
    }

    /** On the storage thread: the migrator is registered once the database answers, unless migrations are held. */
    private void checkHealth() {
        if (health.check() && migratorRegistration == null && migrationHold().isEmpty()) {
            migratorRegistration = context.registerService(SchemaMigrator.class, runner(), new Hashtable<>());
        }
    }

    private MigrationRunner runner() {
        return new MigrationRunner(pool, Duration.ofSeconds(config.migration_lock_wait_seconds()), nodeName());
    }

    /** Where a migration hold is kept: a file, so that it outlives a crash and this component. */
    static Path holdFile() {
        return Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "storage", "migration-hold");
    }

    @Override
    public void holdMigrations(String reason) throws StorageException {
        try {
            AtomicFiles.write(holdFile(), out -> out.write(reason.replaceAll("[\\r\\n]+", " ").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new StorageException("cannot hold migrations: " + holdFile() + ": " + e.getMessage(), e);
        }
        onStorageThread(() -> {
            unregister(migratorRegistration);
            migratorRegistration = null;
        });
        LOG.info("Schema migrations held ({}): schema-owning components wait until the hold is released", reason);
    }

    @Override
    public Optional<String> migrationHold() {
        try {
            return Files.isRegularFile(holdFile()) ? Optional.of(Files.readString(holdFile(), StandardCharsets.UTF_8).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.of("(hold file unreadable: " + e.getMessage() + ")");
        }
    }

    @Override
    public void releaseMigrations() throws StorageException {
        try {
            if (Files.deleteIfExists(holdFile())) {
                AtomicFiles.syncDirectory(holdFile().getParent());
                LOG.info("Schema migrations released");
            }
        } catch (IOException e) {
            throw new StorageException("cannot release migrations: " + holdFile() + ": " + e.getMessage(), e);
        }
        if (health != null) {
            onStorageThread(this::checkHealth);
        }
    }

    /** Runs {@code task} on the storage thread, where the registrations change, and waits for it. */
    private void onStorageThread(Runnable task) throws StorageException {
        try {
            executor.submit(task).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the component is stopping: the registrations go with it, and the file decides the next start
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new StorageException("the storage thread did not take the change: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while changing the migration hold", e);
        }
    }

    @Override
    public Optional<String> productVersion() throws StorageException {
        try (Connection c = started().getConnection()) {
            return ProductVersionRow.read(c);
        } catch (SQLException e) {
            throw new StorageException("cannot read the product version: " + Errors.describe(e), e);
        }
    }

    @Override
    public String adoptProductVersion(String version) throws StorageException {
        try (Connection c = started().getConnection()) {
            return ProductVersionRow.adopt(c, version);
        } catch (SQLException e) {
            throw new StorageException("cannot record the product version: " + Errors.describe(e), e);
        }
    }

    @Override
    public Map<String, Integer> commitUpdate(Map<String, List<Migration>> bySchema, String from, String to) throws MigrationException {
        try {
            started();
        } catch (StorageException e) {
            throw new MigrationException(e.getMessage(), e);
        }
        return runner().migrateTogether(bySchema, c -> ProductVersionRow.change(c, from, to));
    }

    private DataSource started() throws StorageException {
        HikariDataSource p = pool;
        if (p == null) {
            throw new StorageException("the database is not started (" + status().lastError() + ")");
        }
        return p;
    }

    @Override
    public StorageStatus status() {
        HikariDataSource p = pool;
        HealthMonitor h = health;
        Pool poolState = new Pool(0, 0, 0, 0, config.pool_size());
        if (p != null && p.getHikariPoolMXBean() != null) {
            HikariPoolMXBean mx = p.getHikariPoolMXBean();
            poolState = new Pool(mx.getActiveConnections(), mx.getIdleConnections(), mx.getTotalConnections(),
                    mx.getThreadsAwaitingConnection(), p.getMaximumPoolSize());
        }
        if (h == null) {
            String error = startError.isEmpty() ? "starting" : startError;
            return new StorageStatus(displayUrl, embeddedMode, false, "", error, null, poolState, List.of());
        }
        return new StorageStatus(displayUrl, embeddedMode, h.reachable(), h.serverVersion(), h.lastError(),
                h.lastCheck(), poolState, h.reachable() ? schemaVersions(p) : List.of());
    }

    private List<SchemaVersion> schemaVersions(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return SchemaHistory.versions(c);
        } catch (SQLException e) {
            return List.of();
        }
    }

    private static String nodeName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getProperty("karaf.name", "unknown");
        }
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework unregistered it already
            }
        }
    }
}
