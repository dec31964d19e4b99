package org.portcullis.acme.internal;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.portcullis.acme.AcmeException;
import org.portcullis.acme.DnsChallengeSolver;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The conversation with the CA (acme4j): the account, an order with its challenges, the
 * certificate, renewal information, revocation. A session per call; no state kept here.
 */
final class Issuer {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Issuer.class);

    /** How a name's challenge is answered. */
    interface Answer {
        /** Makes the challenge answerable; returns what undoes it. */
        AutoCloseable prepare(String name, Authorization auth) throws Exception;

        /** The challenge type, for acme4j. */
        String type();
    }

    /** A name the CA did not validate (or refused at the order), with the CA's reason. */
    record Refused(String name, String reason) {
    }

    /** What an order ended with: the chain and its key, or none; and the names left out. */
    record Issued(List<String> names, KeyPair key, List<X509Certificate> chain, List<Refused> refused, Optional<Instant> ariStart,
            Optional<Instant> ariEnd) {
    }

    /** A try the CA refused for a while: its {@code Retry-After}. */
    static final class RateLimited extends AcmeException {
        private static final long serialVersionUID = 1L;
        final transient Optional<Instant> retryAfter;

        RateLimited(String message, Optional<Instant> retryAfter) {
            super(Code.UNAVAILABLE, message);
            this.retryAfter = retryAfter;
        }
    }

    private final URI directory;
    private final SSLContext trust;
    private final Duration timeout;

    Issuer(URI directory, SSLContext trust, Duration timeout) {
        this.directory = directory;
        this.trust = trust;
        this.timeout = timeout;
    }

    private Session session() {
        return new Session(directory, new GenericAcmeProvider() {
            @Override
            public HttpClient createHttpClient(NetworkSettings settings) {
                HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.getTimeout()).followRedirects(HttpClient.Redirect.NORMAL)
                        .proxy(settings.getProxySelector());
                if (trust != null) {
                    b.sslContext(trust);
                }
                return b.build();
            }
        });
    }

    /** The CA's terms of service, or empty when it has none. */
    String terms() {
        try {
            return session().getMetadata().getTermsOfService().map(URI::toString).orElse("");
        } catch (org.shredzone.acme4j.exception.AcmeException | RuntimeException e) {
            throw failure("reading the directory", e);
        }
    }

    /** Creates (or finds) the account of {@code key}; returns its URL. */
    URL account(KeyPair key, String contact) {
        try {
            AccountBuilder b = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
            if (!contact.isBlank()) {
                b.addEmail(contact);
            }
            return b.createLogin(session()).getAccountLocation();
        } catch (org.shredzone.acme4j.exception.AcmeException | RuntimeException e) {
            throw failure("creating the account", e);
        }
    }

    /**
     * Orders a certificate for {@code names}: names the CA refuses at the order or does not
     * validate are left out and the rest ordered again; null chain when none is left.
     */
    Issued order(KeyPair accountKey, URL accountUrl, List<String> names, Answer answer, X509Certificate replaces) {
        Login login = session().login(accountUrl, accountKey);
        List<String> asked = new ArrayList<>(names);
        List<Refused> refused = new ArrayList<>();
        try {
            while (!asked.isEmpty()) {
                Order order;
                try {
                    OrderBuilder b = login.newOrder().domains(asked);
                    if (replaces != null && login.getSession().resourceUrlOptional(Resource.RENEWAL_INFO).isPresent()) {
                        b.replaces(replaces); // ARI: the CA may then let this renewal past its limits
                    }
                    order = b.create();
                } catch (AcmeRateLimitedException e) {
                    throw new RateLimited("the CA limits orders: " + reason(e.getProblem()), e.getRetryAfter());
                } catch (AcmeServerException e) {
                    List<Refused> out = refusedAtOrder(e.getProblem(), asked);
                    if (out.isEmpty() && replaces != null) {
                        // the CA would not take the certificate named as replaced (replaced already, not its own): order without
                        LOG.info("ACME: the order naming certificate {} as replaced was refused ({}); ordering without", replaces.getSerialNumber()
                                .toString(16), reason(e.getProblem()));
                        replaces = null;
                        continue;
                    }
                    if (out.isEmpty()) {
                        throw failure("the order", e);
                    }
                    refused.addAll(out);
                    out.forEach(r -> asked.remove(r.name()));
                    continue;
                }
                List<Refused> failed = authorize(order, answer);
                if (!failed.isEmpty()) {
                    refused.addAll(failed);
                    failed.forEach(r -> asked.remove(r.name()));
                    continue; // a new order for the names that did validate (their authorisations are reused)
                }
                KeyPair domainKey = Keys.ec("secp256r1");
                order.execute(domainKey);
                Status s = order.waitForCompletion(timeout);
                if (s != Status.VALID) {
                    throw new AcmeException(AcmeException.Code.UNAVAILABLE, "the CA did not issue the certificate: " + order.getError().map(Issuer::reason)
                            .orElse("order " + s.name().toLowerCase(Locale.ROOT)));
                }
                Certificate cert = order.getCertificate();
                Optional<Instant> start = Optional.empty();
                Optional<Instant> end = Optional.empty();
                if (cert.hasRenewalInfo()) {
                    try {
                        var info = cert.getRenewalInfo();
                        start = Optional.of(info.getSuggestedWindowStart());
                        end = Optional.of(info.getSuggestedWindowEnd());
                    } catch (RuntimeException e) {
                        // no window: the third of the lifetime
                    }
                }
                return new Issued(List.copyOf(asked), domainKey, cert.getCertificateChain(), refused, start, end);
            }
            return new Issued(List.of(), null, null, refused, Optional.empty(), Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcmeException(AcmeException.Code.UNAVAILABLE, "interrupted while waiting for the CA");
        } catch (org.shredzone.acme4j.exception.AcmeException e) {
            throw failure("the order", e);
        }
    }

    /**
     * Answers each pending authorisation; returns the names that did not validate. A name whose
     * validation fails, times out or is refused is that name's failure alone (its authorisation is
     * given up); a rate limit or a CA that cannot be reached ends the order. Undoing an answer
     * (removing a DNS record) that fails is logged, never a name's failure.
     */
    private List<Refused> authorize(Order order, Answer answer) throws org.shredzone.acme4j.exception.AcmeException, InterruptedException {
        List<Refused> failed = new ArrayList<>();
        for (Authorization auth : order.getAuthorizations()) {
            String name = auth.getIdentifier().getDomain();
            if (auth.getStatus() == Status.VALID) {
                continue;
            }
            var challenge = auth.findChallenge(answer.type());
            if (challenge.isEmpty()) {
                failed.add(new Refused(name, "the CA offers no " + answer.type() + " challenge for it"));
                continue;
            }
            AutoCloseable undo = null;
            try {
                undo = answer.prepare(name, auth);
                challenge.get().trigger();
                Status s = auth.waitForCompletion(timeout);
                if (s != Status.VALID) {
                    failed.add(new Refused(name, challenge.get().getError().map(Issuer::reason).orElse("validation " + s.name().toLowerCase(Locale.ROOT))));
                }
            } catch (AcmeRateLimitedException | org.shredzone.acme4j.exception.AcmeNetworkException e) {
                throw e;
            } catch (org.shredzone.acme4j.exception.AcmeException e) {
                failed.add(new Refused(name, e instanceof AcmeServerException se ? reason(se.getProblem()) : oneLine(e.getMessage())));
                giveUp(auth);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                failed.add(new Refused(name, oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
                giveUp(auth);
            } finally {
                if (undo != null) {
                    try {
                        undo.close();
                    } catch (Exception e) {
                        LOG.warn("ACME: undoing the {} answer for {} failed: {}", answer.type(), name, e.getMessage());
                    }
                }
            }
        }
        return failed;
    }

    /** Deactivates an authorisation that will not validate, so the CA does not keep it pending. */
    private static void giveUp(Authorization auth) {
        try {
            auth.deactivate();
        } catch (org.shredzone.acme4j.exception.AcmeException | RuntimeException e) {
            LOG.debug("ACME: deactivating the authorisation of {}: {}", auth.getIdentifier().getDomain(), e.getMessage());
        }
    }

    /** The CA's renewal window (ARI) for {@code cert} now, when the CA offers ARI. */
    Optional<Instant[]> renewalWindow(KeyPair accountKey, URL accountUrl, X509Certificate cert) {
        try {
            Login login = session().login(accountUrl, accountKey);
            if (login.getSession().resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
                return Optional.empty();
            }
            var info = login.bindRenewalInfo(cert);
            return Optional.of(new Instant[] {info.getSuggestedWindowStart(), info.getSuggestedWindowEnd()});
        } catch (org.shredzone.acme4j.exception.AcmeException | RuntimeException e) {
            LOG.debug("ACME: renewal information: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** The names an order's problem names: its sub-problems' identifiers, else the asked names its detail mentions. */
    static List<Refused> refusedAtOrder(Problem p, List<String> asked) {
        Map<String, Refused> out = new LinkedHashMap<>();
        for (Problem sub : p.getSubProblems()) {
            sub.getIdentifier().map(i -> i.getValue().toLowerCase(Locale.ROOT)).filter(asked::contains)
                    .ifPresent(n -> out.put(n, new Refused(n, reason(sub))));
        }
        if (out.isEmpty() && p.getType().toString().endsWith(":rejectedIdentifier")) {
            String detail = p.getDetail().orElse("").toLowerCase(Locale.ROOT);
            for (String n : asked) {
                if (detail.matches("(?s).*(^|[^a-z0-9.-])" + java.util.regex.Pattern.quote(n) + "($|[^a-z0-9-]).*")) {
                    out.put(n, new Refused(n, reason(p)));
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    /** A problem in one line: its detail (else title, else type). */
    static String reason(Problem p) {
        String text = p.getDetail().or(p::getTitle).orElse(p.getType().toString());
        String type = p.getType().toString();
        String kind = type.startsWith("urn:ietf:params:acme:error:") ? type.substring("urn:ietf:params:acme:error:".length()) : type;
        return oneLine(kind + ": " + text);
    }

    void revoke(KeyPair accountKey, URL accountUrl, X509Certificate cert) {
        try {
            Certificate.revoke(session().login(accountUrl, accountKey), cert, null);
        } catch (org.shredzone.acme4j.exception.AcmeException | RuntimeException e) {
            throw failure("the revocation", e);
        }
    }

    private AcmeException failure(String what, Exception e) {
        if (e instanceof AcmeRateLimitedException r) {
            return new RateLimited(what + ": the CA limits it: " + reason(r.getProblem()), r.getRetryAfter());
        }
        if (e instanceof AcmeServerException s) {
            String type = s.getType().toString();
            AcmeException.Code code = type.endsWith(":accountDoesNotExist") || type.endsWith(":unauthorized") || type.endsWith(":malformed")
                    || type.endsWith(":rejectedIdentifier") ? AcmeException.Code.INVALID : AcmeException.Code.UNAVAILABLE;
            return new AcmeException(code, what + ": " + reason(s.getProblem()), e);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root == e ? e.getMessage() : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        return new AcmeException(AcmeException.Code.UNAVAILABLE, oneLine(what + " at " + directory + ": " + msg), e);
    }

    static String oneLine(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ").strip();
        return t.length() > 400 ? t.substring(0, 400) + "…" : t;
    }

    /** An HTTP-01 answer through the responder. */
    static Answer http01(Http01Responder responder) {
        return new Answer() {
            @Override
            public AutoCloseable prepare(String name, Authorization auth) {
                Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow();
                responder.put(c.getToken(), c.getAuthorization());
                return () -> responder.remove(c.getToken());
            }

            @Override
            public String type() {
                return Http01Challenge.TYPE;
            }
        };
    }

    /** A DNS-01 answer through a solver. */
    static Answer dns01(DnsChallengeSolver solver) {
        return new Answer() {
            @Override
            public AutoCloseable prepare(String name, Authorization auth) throws Exception {
                Dns01Challenge c = auth.findChallenge(Dns01Challenge.class).orElseThrow();
                String rr = c.getRRName(auth.getIdentifier());
                solver.present(rr, c.getDigest());
                return () -> solver.cleanUp(rr, c.getDigest());
            }

            @Override
            public String type() {
                return Dns01Challenge.TYPE;
            }
        };
    }
}
