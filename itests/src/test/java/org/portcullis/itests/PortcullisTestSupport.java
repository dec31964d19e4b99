package org.portcullis.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFileExtend;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * Boots the built Portcullis distribution (not a hand-assembled container) for each test class,
 * on free ports, in the style of Karaf's own {@code KarafTestSupport}: shell commands through
 * the in-container session factory, and polling with a deadline instead of sleeps.
 */
public abstract class PortcullisTestSupport {

    protected static final Duration DEADLINE = Duration.ofSeconds(90);

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        String karaf = System.getProperty("karaf.version");
        String repo = System.getProperty("maven.repo.local");
        return OptionUtils.combine(new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl("file:" + System.getProperty("portcullis.distribution"))
                    .karafVersion(karaf).name("Portcullis")
                    .unpackDirectory(new File("target/exam")).useDeployFolder(false),
            // kept under target/exam for the post-mortem; 'mvn clean' removes it
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            // Pax Exam 4.14 does not pass the JDK 9+ options bin/karaf uses.
            CoreOptions.vmOptions("--add-reads=java.xml=java.logging",
                    "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                    "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karaf + ".jar",
                    "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karaf + ".jar",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/java.security=ALL-UNNAMED"),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.portcullis.storage.cfg", "embedded.port", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.portcullis.storage.cfg", "health.interval.seconds", "1"),
            editConfigurationFilePut("etc/org.portcullis.milter.cfg", "port", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", repo),
            // Added to, not replacing, the distribution's own system/ repository: Pax Exam's bundles
            // come from the build's local repository, Portcullis's only from the distribution.
            editConfigurationFileExtend("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                    "file:" + repo + "@id=local@snapshots"),
            systemProperty("portcullis.version").value(System.getProperty("portcullis.version")),
        }, externalDatabase());
    }

    /** The PostgreSQL named by PORTCULLIS_TEST_DB_URL replaces the embedded one when it is set. */
    private static Option[] externalDatabase() {
        String url = externalDatabaseUrl();
        if (url == null) {
            return new Option[0];
        }
        String cfg = "etc/org.portcullis.storage.cfg";
        return new Option[] {
            editConfigurationFilePut(cfg, "url", url),
            editConfigurationFilePut(cfg, "user", System.getenv().getOrDefault("PORTCULLIS_TEST_DB_USER", "postgres")),
            editConfigurationFilePut(cfg, "password", System.getenv().getOrDefault("PORTCULLIS_TEST_DB_PASSWORD", "")),
            systemProperty("portcullis.test.external").value("true"),
        };
    }

    static String externalDatabaseUrl() {
        String url = System.getenv("PORTCULLIS_TEST_DB_URL");
        return url == null || url.isBlank() ? null : url;
    }

    /** Inside the container: whether the tests run against an external PostgreSQL. */
    protected static boolean externalDatabaseInUse() {
        return Boolean.getBoolean("portcullis.test.external");
    }

    /** The probe starts (and Pax Exam runs the tests) only once the Portcullis bundles are up. */
    @ProbeBuilder
    public TestProbeBuilder probe(TestProbeBuilder probe) {
        probe.setHeader(Constants.BUNDLE_ACTIVATOR, BootGate.class.getName());
        return probe;
    }

    /** Runs a shell command as the console would and returns what it printed; a failing command throws. */
    protected String executeCommand(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Session session = sessionFactory.create(System.in, out, out);
            try {
                session.execute(command);
            } finally {
                session.close();
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits for a service and returns it, failing after the deadline. */
    protected <T> T awaitService(Class<T> type, String filter) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            var refs = bundleContext.getServiceReferences(type, filter);
            if (!refs.isEmpty()) {
                ServiceReference<T> ref = refs.iterator().next();
                T service = bundleContext.getService(ref);
                if (service != null) {
                    return service;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + type.getName() + (filter == null ? "" : " " + filter) + " within " + DEADLINE);
    }

    /** Polls {@code condition} until it holds, failing with {@code what} after the deadline. */
    protected static void await(String what, Supplier<Boolean> condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }

    protected static int freePort() {
        return Distribution.freePort();
    }
}
