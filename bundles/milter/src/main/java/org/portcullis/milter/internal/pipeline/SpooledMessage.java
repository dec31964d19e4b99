package org.portcullis.milter.internal.pipeline;

import java.io.IOException;
import java.io.InputStream;
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
 * raw spool, and its MIME parts (parsed once, each decoded into its own spool). Closing it
 * deletes the parts' spools; the transaction deletes the message's own.
 */
final class SpooledMessage implements Message, AutoCloseable {

    private final Envelope envelope;
    private final List<Header> headers;
    private final Transaction tx;
    private final List<SpooledPart> parts;

    private SpooledMessage(Envelope envelope, List<Header> headers, Transaction tx, List<SpooledPart> parts) {
        this.envelope = envelope;
        this.headers = headers;
        this.tx = tx;
        this.parts = parts;
    }

    static SpooledMessage of(Transaction tx, Path spoolDirectory, int memoryLimit) throws IOException {
        String client = tx.client() == null ? "" : tx.client().address();
        String hostname = tx.client() == null ? "" : tx.client().hostname();
        Envelope envelope = new Envelope(unbracket(tx.sender()), tx.recipients().stream().map(SpooledMessage::unbracket).toList(),
                client, hostname, tx.helo(), tx.macros());
        List<Header> headers = tx.headers().stream().map(h -> new Header(h.getKey(), h.getValue().strip())).toList();
        List<SpooledPart> parts;
        try (InputStream raw = tx.spool().openStream()) {
            parts = MimeParts.parse(raw, spoolDirectory, memoryLimit);
        }
        return new SpooledMessage(envelope, headers, tx, parts);
    }

    @Override
    public Envelope envelope() {
        return envelope;
    }

    @Override
    public List<Header> headers() {
        return headers;
    }

    @Override
    public List<Part> parts() {
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
    public void close() {
        parts.forEach(SpooledPart::close);
    }

    /** {@code <a@example.com>} → {@code a@example.com}; {@code <>} → empty. */
    static String unbracket(String address) {
        String a = address == null ? "" : address.strip();
        return a.startsWith("<") && a.endsWith(">") ? a.substring(1, a.length() - 1) : a;
    }
}
