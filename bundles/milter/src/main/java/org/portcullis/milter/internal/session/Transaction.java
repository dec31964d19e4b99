package org.portcullis.milter.internal.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.spool.MessageSpool;

/**
 * What one milter connection knows: the SMTP client, and the message under way (envelope,
 * headers, and the raw message in a spool). Owned by the connection's I/O thread; the filter
 * reads it, and at end of message may read it from another thread while the connection waits.
 */
public final class Transaction implements AutoCloseable {

    private final Path spoolDirectory;
    private final int spoolMemoryLimit;
    private final Map<String, String> macros = new HashMap<>();
    private MilterCommand.Connect client;
    private String helo = "";
    private String sender;
    private final List<String> recipients = new ArrayList<>();
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private MessageSpool spool;
    private boolean keepContent = true;

    Transaction(Path spoolDirectory, int spoolMemoryLimit) {
        this.spoolDirectory = spoolDirectory;
        this.spoolMemoryLimit = spoolMemoryLimit;
    }

    /** The connecting SMTP client, or {@code null} when the MTA left CONNECT out. */
    public MilterCommand.Connect client() {
        return client;
    }

    public String helo() {
        return helo;
    }

    /** Every macro the MTA sent on this connection so far (later values replace earlier ones). */
    public Map<String, String> macros() {
        return Map.copyOf(macros);
    }

    /** The envelope sender of the message under way, or {@code null} outside a message. */
    public String sender() {
        return sender;
    }

    public List<String> recipients() {
        return List.copyOf(recipients);
    }

    public List<Map.Entry<String, String>> headers() {
        return List.copyOf(headers);
    }

    /** The raw message (headers as received, blank line, body), or {@code null} before DATA. */
    public MessageSpool spool() {
        return spool;
    }

    void connect(MilterCommand.Connect connect) {
        client = connect;
    }

    void helo(String name) {
        helo = name;
    }

    void macros(Map<String, String> values) {
        macros.putAll(values);
    }

    void startMessage(String from) {
        endMessage();
        sender = from;
        keepContent = true;
    }

    /**
     * The filter will not read this message's content (no scanner is present): headers and body
     * are not spooled, and {@link #spool()} stays {@code null}. Reset at the next MAIL.
     */
    public void discardContent() {
        keepContent = false;
    }

    void addRecipient(String rcpt) {
        recipients.add(rcpt);
    }

    void header(String name, String value, boolean leadingSpaceIncluded) throws IOException {
        headers.add(Map.entry(name, value));
        if (!keepContent) {
            return;
        }
        byte[] line = (name + ":" + (leadingSpaceIncluded ? "" : " ") + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        spoolOrOpen().append(line);
    }

    void endOfHeaders() throws IOException {
        if (keepContent) {
            spoolOrOpen().append(new byte[] {'\r', '\n'});
        }
    }

    void body(ByteBuf chunk) throws IOException {
        if (keepContent) {
            spoolOrOpen().append(chunk);
        }
    }

    private MessageSpool spoolOrOpen() {
        if (spool == null) {
            spool = new MessageSpool(spoolDirectory, spoolMemoryLimit);
        }
        return spool;
    }

    /** Forgets the message (after end of message, abort, or a reply that ends it) and deletes its spool. */
    void endMessage() {
        sender = null;
        recipients.clear();
        headers.clear();
        if (spool != null) {
            spool.close();
            spool = null;
        }
    }

    /** Forgets the SMTP client too (QUIT_NC: a new client follows). */
    void endClient() {
        endMessage();
        client = null;
        helo = "";
        macros.clear();
    }

    @Override
    public void close() {
        endClient();
    }
}
