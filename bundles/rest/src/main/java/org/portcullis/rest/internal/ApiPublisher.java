package org.portcullis.rest.internal;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.ws.rs.core.Application;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime;
import org.osgi.service.jaxrs.runtime.dto.ApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.RuntimeDTO;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.portcullis.rest.Api;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the API's application, resources and extensions to the JAX-RS whiteboard, one at a time
 * and from one thread, once the whiteboard is running.
 *
 * <p>Aries' whiteboard (2.0.2) keeps some of its bookkeeping in plain hash maps and expects its
 * service events one after another: a resource registered on one thread while the whiteboard
 * starts, or while another bundle registers its own on a second thread, can end in a
 * {@code ConcurrentModificationException} inside the whiteboard, after which that resource is
 * never served (its path answers 404 until a restart). So the bundles of the API register their
 * parts with {@link Api#RESOURCE} or {@link Api#EXTENSION}, which the whiteboard does not
 * track, and this component registers the whiteboard's copy of each — with
 * {@code osgi.jaxrs.resource}/{@code osgi.jaxrs.extension} and {@link Api#SELECT} — on its single
 * thread, only while a whiteboard runtime with an endpoint exists (it gets that property only
 * after its start has finished). Copies outlive a restart of the whiteboard (which finds them as
 * it starts); the publisher waits for the serial thread only where a part goes away and when it
 * stops itself, never on the whiteboard's or Pax Web's threads.
 */
@Component(immediate = true)
public class ApiPublisher {

    static final String RUNTIME = "(&(objectClass=org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime)(osgi.jaxrs.endpoint=*))";
    static final String PARTS = "(" + Api.PART + "=*)";
    private static final Logger LOG = LoggerFactory.getLogger(ApiPublisher.class);
    /** Between two looks at the whiteboard's view of the copies. */
    private static final long CHECK_SECONDS = 5;
    /** How long an unregistering part waits for the whiteboard to let go of it. */
    private static final long WITHDRAW_WAIT_SECONDS = 30;

    private volatile Thread serialThread;
    private final ScheduledExecutorService serial = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portcullis-api-publisher");
        t.setDaemon(true);
        serialThread = t;
        return t;
    });
    // everything below is touched only on the serial thread
    private final Map<ServiceReference<?>, ServiceRegistration<?>> published = new LinkedHashMap<>();
    private final List<ServiceReference<?>> parts = new ArrayList<>();
    private ServiceRegistration<Application> application;
    private int runtimes;
    /** Copies (by service id) the whiteboard did not report at the last checks, and how many checks in a row. */
    private final Map<Long, Integer> strikes = new HashMap<>();

    private BundleContext context;
    private ServiceTracker<Object, Object> runtimeTracker;
    private ServiceTracker<Object, Object> partTracker;

    @Activate
    void activate(BundleContext context) throws InvalidSyntaxException {
        this.context = context;
        runtimeTracker = new ServiceTracker<>(context, context.createFilter(RUNTIME), new Tracked() {
            @Override
            public Object addingService(ServiceReference<Object> ref) {
                onSerial(() -> {
                    runtimes++;
                    publishAll();
                }, "publishing the API");
                return ref;
            }

            @Override
            public void removedService(ServiceReference<Object> ref, Object o) {
                // no wait here: this runs on Pax Web's thread, which the serial thread may be waiting for. And the
                // copies stay: a whiteboard that starts again finds them when it opens its trackers, and nothing new is
                // registered until it has an endpoint again
                onSerial(() -> runtimes--, "the whiteboard going away");
            }
        });
        partTracker = new ServiceTracker<>(context, context.createFilter(PARTS), new Tracked() {
            @Override
            public Object addingService(ServiceReference<Object> ref) {
                onSerial(() -> {
                    parts.add(ref);
                    if (runtimes > 0) {
                        publish(ref);
                    }
                }, "publishing " + describe(ref));
                return ref;
            }

            @Override
            public void modifiedService(ServiceReference<Object> ref, Object o) {
                onSerial(() -> {
                    if (runtimes > 0) {
                        withdraw(ref);
                        publish(ref);
                    }
                }, "publishing " + describe(ref) + " again");
            }

            @Override
            public void removedService(ServiceReference<Object> ref, Object o) {
                // wait, so that the whiteboard stops calling the part before its component goes
                onSerialAndWait(() -> {
                    parts.remove(ref);
                    withdraw(ref);
                }, "withdrawing " + describe(ref));
            }
        });
        // the parts first: when the whiteboard is up already, publishAll then finds them and adds the application last
        partTracker.open();
        runtimeTracker.open();
        serial.scheduleWithFixedDelay(() -> {
            try {
                heal();
            } catch (InvalidSyntaxException | RuntimeException e) {
                LOG.warn("REST API: checking the whiteboard's view failed: {}", e.toString());
            }
        }, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        partTracker.close();
        runtimeTracker.close();
        onSerialAndWait(this::withdrawAll, "the API stopping");
        serial.shutdown();
    }

    /**
     * The parts first and the application last, so that the whiteboard builds the application
     * once with all of them rather than rebuilding it for each (a rebuild while its servlet is
     * still starting leaves CXF with "an endpoint already running on /").
     */
    private void publishAll() {
        for (ServiceReference<?> ref : parts) {
            publish(ref);
        }
        if (application == null) {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("osgi.jaxrs.application.base", Api.BASE);
            p.put("osgi.jaxrs.name", "portcullis");
            // the application is served only with both filters: no request without an account, no method without its right
            p.put("osgi.jaxrs.extension.select", new String[] {"(" + AuthenticationFilter.MARK + "=true)",
                "(" + AuthorizationFilter.MARK + "=true)"});
            application = context.registerService(Application.class, new ApiApplication(), p);
        }
    }

    /** The application first, so that no resource is ever served without the filters while the parts go one by one. */
    private void withdrawAll() {
        if (application != null) {
            unregister(application);
            application = null;
        }
        for (ServiceReference<?> ref : new ArrayList<>(published.keySet())) {
            withdraw(ref);
        }
    }

    private void publish(ServiceReference<?> ref) {
        if (published.containsKey(ref)) {
            return;
        }
        Object kind = ref.getProperty(Api.PART);
        if (!"resource".equals(kind) && !"extension".equals(kind)) {
            LOG.warn("{} is not published in {}: {} must be 'resource' or 'extension', not '{}'", describe(ref), Api.BASE, Api.PART, kind);
            return;
        }
        Object part = context.getService(ref);
        if (part == null) {
            return; // it went away, or its component could not activate (SCR logged why)
        }
        try {
            published.put(ref, context.registerService((String[]) ref.getProperty(Constants.OBJECTCLASS), part, whiteboardProperties(ref, kind)));
        } catch (RuntimeException e) {
            context.ungetService(ref);
            LOG.warn("{} is not published in {}: {}", describe(ref), Api.BASE, e.toString());
        }
    }

    private void withdraw(ServiceReference<?> ref) {
        ServiceRegistration<?> registration = published.remove(ref);
        if (registration != null) {
            unregister(registration);
            context.ungetService(ref);
        }
    }

    /**
     * A second line of defence: a copy the whiteboard neither serves nor reports as failed, two
     * checks in a row, was lost by it (an event it dropped on a thread of its own) and is
     * registered again. Building the whiteboard's view while it is busy can throw; then this
     * check is skipped.
     */
    private void heal() throws InvalidSyntaxException {
        if (runtimes == 0) {
            return;
        }
        Set<Long> known = new HashSet<>();
        Set<Long> servedApplications = new HashSet<>();
        ServiceReference<?>[] refs = context.getServiceReferences(JaxrsServiceRuntime.class.getName(), RUNTIME);
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            JaxrsServiceRuntime runtime = (JaxrsServiceRuntime) context.getService(ref);
            if (runtime == null) {
                continue;
            }
            try {
                RuntimeDTO dto = runtime.getRuntimeDTO();
                known.addAll(reported(dto));
                java.util.Arrays.stream(dto.applicationDTOs).forEach(a -> servedApplications.add(a.serviceId));
            } catch (java.util.ConcurrentModificationException busy) {
                return;
            } finally {
                context.ungetService(ref);
            }
        }
        Map<Long, ServiceReference<?>> copies = new HashMap<>();
        Long app = application == null ? null : (Long) application.getReference().getProperty(Constants.SERVICE_ID);
        if (app != null && servedApplications.contains(app)) {
            // only while the application is served is every part's copy sure to be in the view
            published.forEach((part, copy) -> copies.put((Long) copy.getReference().getProperty(Constants.SERVICE_ID), part));
        }
        if (app != null) {
            copies.put(app, null);
        }
        for (Long lost : lost(copies.keySet(), known, strikes)) {
            ServiceReference<?> part = copies.get(lost);
            if (part == null) {
                LOG.warn("REST API: the whiteboard lost the application; registering it again");
                unregister(application);
                application = null;
                publishAll();
            } else {
                LOG.warn("REST API: the whiteboard lost {}; publishing it again", describe(part));
                withdraw(part);
                publish(part);
            }
        }
    }

    /** Every service id the whiteboard's view names: served or failed, applications, resources and extensions. */
    static Set<Long> reported(RuntimeDTO dto) {
        Set<Long> ids = new HashSet<>();
        List<ApplicationDTO> apps = new ArrayList<>(List.of(dto.applicationDTOs));
        if (dto.defaultApplication != null) {
            apps.add(dto.defaultApplication);
        }
        for (ApplicationDTO app : apps) {
            ids.add(app.serviceId);
            java.util.Arrays.stream(app.resourceDTOs).forEach(r -> ids.add(r.serviceId));
            java.util.Arrays.stream(app.extensionDTOs).forEach(e -> ids.add(e.serviceId));
        }
        java.util.Arrays.stream(dto.failedApplicationDTOs).forEach(a -> ids.add(a.serviceId));
        java.util.Arrays.stream(dto.failedResourceDTOs).forEach(r -> ids.add(r.serviceId));
        java.util.Arrays.stream(dto.failedExtensionDTOs).forEach(e -> ids.add(e.serviceId));
        return ids;
    }

    /**
     * The copies missing from {@code known} for the second check in a row; {@code strikes} keeps
     * the count between checks (a copy seen again, or gone, is forgotten).
     */
    static Set<Long> lost(Set<Long> copies, Set<Long> known, Map<Long, Integer> strikes) {
        strikes.keySet().retainAll(copies);
        Set<Long> lost = new HashSet<>();
        for (Long id : copies) {
            if (known.contains(id)) {
                strikes.remove(id);
            } else if (strikes.merge(id, 1, Integer::sum) >= 2) {
                strikes.remove(id);
                lost.add(id);
            }
        }
        return lost;
    }

    /** The part's own properties, without the framework's, plus the whiteboard's. */
    static Dictionary<String, Object> whiteboardProperties(ServiceReference<?> ref, Object kind) {
        Hashtable<String, Object> p = new Hashtable<>();
        for (String key : ref.getPropertyKeys()) {
            // not the part's mark either: the copy is no part of its own
            if (!key.startsWith("service.") && !key.startsWith("component.") && !key.equals(Constants.OBJECTCLASS) && !key.equals(Api.PART)) {
                p.put(key, ref.getProperty(key));
            }
        }
        Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
        if (ranking != null) {
            p.put(Constants.SERVICE_RANKING, ranking);
        }
        p.put("osgi.jaxrs." + kind, Boolean.TRUE);
        p.put("osgi.jaxrs.application.select", Api.SELECT.substring(Api.SELECT.indexOf('=') + 1));
        p.put(PUBLISHED_FROM, ref.getProperty(Constants.SERVICE_ID));
        return p;
    }

    /** On the whiteboard's copy: the service id of the part it was made from. */
    static final String PUBLISHED_FROM = "portcullis.api.part.id";

    private static void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping and the framework took it down first
        }
    }

    private static String describe(ServiceReference<?> ref) {
        return ((String[]) ref.getProperty(Constants.OBJECTCLASS))[0] + " of " + ref.getBundle();
    }

    /** Runs {@code work} on the serial thread later; a failure is logged, not lost. */
    private void onSerial(Runnable work, String what) {
        serial.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warn("REST API: {} failed: {}", what, e.toString());
            }
        });
    }

    /** Runs {@code work} on the serial thread and waits for it (bounded), or runs it here when this is that thread. */
    private void onSerialAndWait(Runnable work, String what) {
        if (Thread.currentThread() == serialThread) {
            work.run();
            return;
        }
        try {
            serial.submit(work).get(WITHDRAW_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("REST API: {} failed: {}", what, e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.warn("REST API: {} took more than {} s; going on", what, WITHDRAW_WAIT_SECONDS);
        } catch (RejectedExecutionException e) {
            // the publisher has stopped: nothing of it is left to withdraw
        }
    }

    /** A customizer that tracks the reference itself. */
    private abstract static class Tracked implements ServiceTrackerCustomizer<Object, Object> {
        @Override
        public void modifiedService(ServiceReference<Object> ref, Object o) {
        }
    }
}
