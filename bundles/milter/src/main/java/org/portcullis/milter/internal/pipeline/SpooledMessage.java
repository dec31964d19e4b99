package org.portcullis.milter.internal.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import org.portcullis.milter.internal.mime.MimeParts;
import org.portcullis.milter.internal.mime.SpooledPart;
import org.portcullis.milter.internal.session.Transaction;
import org.portcullis.scanner.Envelope;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.Part;

/**
 * The scanners' view of the message a {@link Transaction} holds: the envelope, the headers, the
 * raw spool, and its MIME parts, split out (each decoded into its own spool) the first time a
 * scanner asks for them, so messages only whole-message scanners look at are never split.
 * Closing it deletes the parts' spools; the transaction deletes the message's own.
 */
final class SpooledMessage implements Message, AutoCloseable {

    private final Envelope envelope;
    private final List<Header> headers;
    private final Transaction tx;
    private final Path spoolDirectory;
    private final int memoryLimit;
    private List<SpooledPart> parts;
    private boolean closed;

    private SpooledMessage(Envelope envelope, List<Header> headers, Transaction tx, Path spoolDirectory, int memoryLimit) {
        this.envelope = envelope;
        this.headers = headers;
        this.tx = tx;
        this.spoolDirectory = spoolDirectory;
        this.memoryLimit = memoryLimit;
    }

    static SpooledMessage of(Transaction tx, Path spoolDirectory, int memoryLimit) {
        String client = tx.client() == null ? "" : tx.client().address();
        String hostname = tx.client() == null ? "" : tx.client().hostname();
        Envelope envelope = new Envelope(Transaction.unbracket(tx.sender()), tx.recipients().stream().map(Transaction::unbracket).toList(),
                client, hostname, tx.helo(), tx.macros());
        List<Header> headers = tx.headers().stream().map(h -> new Header(h.getKey(), h.getValue().strip())).toList();
        return new SpooledMessage(envelope, headers, tx, spoolDirectory, memoryLimit);
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public List<Header> headers() {
        return headers;
    }

    /**
     * The parts, split out on the first call (several part scanners may ask at once).
     *
     * @throws UncheckedIOException when the message cannot be split; the scanner asking fails
     */
    @Override
    public synchronized List<Part> parts() {
        if (closed) {
            throw new IllegalStateException("the message is no longer available");
        }
        if (parts == null) {
            try (InputStream raw = tx.spool().openStream()) {
                parts = MimeParts.parse(raw, spoolDirectory, memoryLimit);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return List.copyOf(parts);
    }

    @Override
    public InputStream openRaw() throws IOException {
        return tx.spool().openStream();
    }

    @Override
    public long size() {
        return tx.spool().size();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (parts != null) {
            parts.forEach(SpooledPart::close);
        }
    }
}
