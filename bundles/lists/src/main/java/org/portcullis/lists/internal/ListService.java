package org.portcullis.lists.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.portcullis.lists.ListEntry;
import org.portcullis.lists.ListException;
import org.portcullis.lists.ListType;
import org.portcullis.lists.Lists;
import org.portcullis.lists.Names;
import org.portcullis.lists.Pattern;
import org.portcullis.lists.Scope;
import org.portcullis.policy.ListDecision;
import org.portcullis.policy.ListPolicy;
import org.portcullis.policy.ListQuery;
import org.portcullis.storage.ChangeListener;
import org.portcullis.storage.MigrationException;
import org.portcullis.storage.MigrationScripts;
import org.portcullis.storage.SchemaMigrator;
import org.portcullis.storage.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lists: entries in the {@code lists} schema, an in-memory index for the milter (a
 * {@link ListPolicy} service), kept current by LISTEN/NOTIFY, and the {@link Lists} service the
 * commands and endpoints use. The message path never queries the database.
 */
@Header(name = MigrationScripts.SCHEMA_HEADER, value = ListService.SCHEMA)
@Component(service = {Lists.class, ListPolicy.class}, immediate = true)
public class ListService implements Lists, ListPolicy {

    /** The schema this bundle owns (and names in its manifest, for updates). */
    static final String SCHEMA = "lists";

    static final Duration FULL_RELOAD = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(ListService.class);

    @Reference(target = Storage.DATA_SOURCE_FILTER)
    private DataSource ds;

    @Reference
    private SchemaMigrator migrator;

    private final Clock clock;
    private ListStore store;
    private volatile ListIndex index = ListIndex.EMPTY;
    private IndexedListPolicy policy;
    /** The channel the table's trigger notifies (V1__entries.sql). */
    static final String CHANNEL = "portcullis_lists";

    private ChangeListener listener;

    public ListService() {
        this(Clock.systemUTC());
    }

    ListService(Clock clock) {
        this.clock = clock;
    }

    @Activate
    void activate(BundleContext context) throws MigrationException {
        migrator.migrate(SCHEMA, MigrationScripts.fromBundle(context.getBundle(), MigrationScripts.FOLDER));
        start(ds);
    }

    /** Starts listening, which loads the index first (also for tests on a plain DataSource). */
    void start(DataSource dataSource) {
        store = new ListStore(dataSource);
        policy = new IndexedListPolicy(() -> index, clock);
        listener = new ChangeListener(dataSource, CHANNEL, "lists", this::reload, FULL_RELOAD).start();
    }

    @Deactivate
    void deactivate() {
        if (listener != null) {
            listener.close();
        }
    }

    /** Replaces the index with one built from the table now. */
    synchronized void reload() {
        try {
            long start = System.nanoTime();
            List<ListEntry> all = store.loadAll();
            index = ListIndex.of(all);
            LOG.debug("List index reloaded: {} entries in {} ms", all.size(), (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException | RuntimeException e) {
            LOG.error("Cannot reload the lists ({}); the previous index stays in use", e.getMessage());
        }
    }

    int indexSize() {
        return index.size();
    }

    @Override
    public ListDecision atRecipient(ListQuery query) {
        return policy.atRecipient(query);
    }

    @Override
    public ListDecision atEndOfMessage(ListQuery query) {
        return policy.atEndOfMessage(query);
    }

    @Override
    public ListEntry add(ListType list, Scope scope, Pattern pattern, String comment, String creator, Instant expires) {
        ListEntry added = sql(() -> store.add(new ListEntry(0, list, scope, pattern, comment, creator, clock.instant(), expires)));
        LOG.info("{} added by {}", added.describe(), creator);
        return added;
    }

    @Override
    public boolean remove(long id) {
        boolean removed = sql(() -> store.remove(id));
        if (removed) {
            LOG.info("List entry #{} removed", id);
        }
        return removed;
    }

    @Override
    public List<ListEntry> find(ListType list, Scope scope, String patternPart) {
        return sql(() -> store.find(list, scope, patternPart));
    }

    @Override
    public Optional<ListEntry> get(long id) {
        return sql(() -> store.get(id));
    }

    @Override
    public Explanation check(String sender, String client, String recipient, String headerFrom) {
        String rcpt = Names.normalizeAddress(recipient);
        if (!rcpt.isEmpty() && !Names.isAddress(rcpt)) {
            throw new ListException("recipient '" + recipient + "': not an email address");
        }
        String envelope = Names.normalizeAddress(sender);
        if (!envelope.isEmpty() && !envelope.equals("<>") && !Names.isAddress(envelope)) {
            throw new ListException("sender '" + sender + "': not an email address; give the envelope sender as user@domain (or <> "
                    + "for the null sender); a client address goes with --ip (REST: ip=), the header From with --from (REST: from=)");
        }
        byte[] ip = null;
        if (client != null && !client.isBlank()) {
            ip = Pattern.ipBytes(client.strip().toLowerCase(java.util.Locale.ROOT));
            if (ip == null) {
                throw new ListException("ip '" + client + "': not an IPv4 or IPv6 address");
            }
        }
        List<String> from = headerFrom == null || headerFrom.isBlank() ? List.of() : IndexedListPolicy.headerAddresses(List.of(headerFrom));
        Judgement j = index.explain(new Query(Names.normalizeAddress(sender), ip, rcpt, from), clock.instant());
        return new Explanation(j.decisive(), j.overridden(), j.reasons());
    }

    @Override
    public ImportResult importCsv(Reader csv, String sourceName, String creator) throws IOException {
        CsvFormat.Parsed parsed = CsvFormat.parse(csv, sourceName, creator, clock.instant());
        if (!parsed.errors().isEmpty()) {
            return new ImportResult(0, parsed.duplicates(), parsed.errors());
        }
        boolean[] added = sql(() -> store.addAll(parsed.entries()));
        List<String> duplicates = new java.util.ArrayList<>(parsed.duplicates());
        int count = 0;
        for (int i = 0; i < added.length; i++) {
            if (added[i]) {
                count++;
            } else {
                duplicates.add("line " + parsed.lines().get(i) + ": exists already (" + parsed.entries().get(i).describe() + ")");
            }
        }
        LOG.info("Imported {} list entries from '{}' by {} ({} duplicates)", count, sourceName, creator, duplicates.size());
        return new ImportResult(count, duplicates, List.of());
    }

    @Override
    public void exportCsv(List<ListEntry> entries, Writer out) throws IOException {
        CsvFormat.write(entries, out);
    }

    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    private static <T> T sql(SqlCall<T> call) {
        try {
            return call.call();
        } catch (SQLException e) {
            throw new ListException(ListException.Kind.UNAVAILABLE, "list database: " + e.getMessage().lines().findFirst().orElse("error") + "; nothing was changed");
        }
    }
}
