package org.portcullis.updater.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.portcullis.core.ProductInfo;
import org.portcullis.updater.Check;
import org.portcullis.updater.Updates;
import org.portcullis.updater.pkg.PackageException;
import org.portcullis.updater.pkg.UpdateManifest;
import org.portcullis.updater.pkg.UpdatePackage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The update packages kept under data/ and the prechecks (config PID {@code org.portcullis.updater}). */
@Component(service = Updates.class, configurationPid = "org.portcullis.updater")
@Designate(ocd = UpdaterConfig.class)
public class UpdateService implements Updates {

    private static final Logger LOG = LoggerFactory.getLogger(UpdateService.class);
    static final String SUFFIX = ".pcup";

    @Reference
    ProductInfo product;

    /** The database, for the size of the backup an update makes; the checks run without it. */
    @Reference(target = "(dataSourceName=portcullis)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile DataSource dataSource;

    private Path keys;
    private Path directory;
    private Prechecks prechecks;

    @Activate
    void activate(UpdaterConfig config) {
        keys = config.trusted_keys().isBlank() ? Paths.get(System.getProperty("karaf.etc", "etc"), "portcullis-update-keys.pem")
                : Paths.get(config.trusted_keys().trim());
        directory = config.packages_directory().isBlank()
                ? Paths.get(System.getProperty("karaf.data", "data"), "portcullis", "updates", "packages")
                : Paths.get(config.packages_directory().trim());
        prechecks = new Prechecks(new Host(), Prechecks.keysIn(keys), config.memory_min_mb(), config.disk_reserve_mb());
    }

    @Override
    public List<Check> precheck(Path file) {
        return prechecks.run(file, file.toAbsolutePath().normalize().startsWith(directory.toAbsolutePath().normalize()));
    }

    @Override
    public Path install(Path file) {
        UpdateManifest m = UpdatePackage.open(file, Prechecks.keysIn(keys).get()).manifest();
        Path target = directory.resolve("portcullis-update-" + m.fromVersion() + "-" + m.toVersion() + SUFFIX);
        try {
            Files.createDirectories(directory);
            Path tmp = directory.resolve(target.getFileName() + ".part");
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                // verified again as copied: the copy is what is kept, whatever happened to the source meanwhile
                UpdatePackage.open(tmp, Prechecks.keysIn(keys).get());
            } catch (PackageException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PackageException("cannot keep the package in " + directory + ": " + e.getMessage(), e);
        }
        LOG.info("Update package {} kept as {}: {} -> {}", file, target, m.fromVersion(), m.toVersion());
        return target;
    }

    @Override
    public List<Path> packages() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted(Comparator.comparing(UpdateService::modified)).toList();
        } catch (IOException e) {
            throw new PackageException("cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** This machine and container, as the prechecks read them. */
    private final class Host implements Prechecks.Machine {
        @Override
        public String runningVersion() {
            return product.version();
        }

        @Override
        public OptionalLong memoryMb() {
            try {
                return Prechecks.memTotalMb(Files.readAllLines(Paths.get("/proc/meminfo")));
            } catch (IOException e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public long usableBytes(Path dir) throws IOException {
            return Files.getFileStore(dir).getUsableSpace();
        }

        @Override
        public OptionalLong databaseBytes() {
            DataSource ds = dataSource;
            if (ds == null) {
                return OptionalLong.empty();
            }
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            } catch (Exception e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public Path home() {
            return Paths.get(System.getProperty("karaf.home", "."));
        }
    }
}
