package org.portcullis.itests;

import java.util.Arrays;
import java.util.List;

import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Activator of the Pax Exam probe. Karaf installs the boot features in the background, so the
 * probe can start before the Portcullis bundles exist, and loading a test class that names
 * their types then fails. Pax Exam runs the tests only once the probe is active, so this
 * activator holds the start until the {@code portcullis} feature is installed and its bundles
 * are active.
 */
public class BootGate implements BundleActivator {

    static final List<String> BUNDLES = List.of("org.portcullis.core", "org.portcullis.storage", "org.portcullis.milter");

    @Override
    public void start(BundleContext context) throws Exception {
        long end = System.nanoTime() + PortcullisTestSupport.DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (featureInstalled(context) && bundlesActive(context)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the portcullis feature was not installed within " + PortcullisTestSupport.DEADLINE);
    }

    @Override
    public void stop(BundleContext context) {
        // nothing held
    }

    private static boolean featureInstalled(BundleContext context) throws Exception {
        ServiceReference<FeaturesService> ref = context.getServiceReference(FeaturesService.class);
        if (ref == null) {
            return false;
        }
        FeaturesService features = context.getService(ref);
        try {
            if (features == null) {
                return false;
            }
            // null until the boot features repository is loaded
            Feature portcullis = features.getFeature("portcullis");
            return portcullis != null && features.isInstalled(portcullis);
        } finally {
            context.ungetService(ref);
        }
    }

    private static boolean bundlesActive(BundleContext context) {
        return BUNDLES.stream().allMatch(name -> Arrays.stream(context.getBundles())
                .anyMatch(b -> name.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE));
    }
}
