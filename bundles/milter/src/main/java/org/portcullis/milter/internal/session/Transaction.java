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
import org.portcullis.milter.internal.codec.MilterProtocolException;
import org.portcullis.milter.internal.spool.MessageSpool;

/**
 * What one milter connection knows: the SMTP client, and the message under way (envelope,
 * headers, and the raw message in a spool). Owned by the connection's I/O thread; the filter
 * reads it, and at end of message may read it from another thread while the connection waits.
 */
public final class Transaction implements AutoCloseable {

    /** Macro stages in the order of an SMTP session: a later stage's value wins in {@link #macros()}. */
    static final String STAGES = "CHMRTLNBEU";
    /** The stages that belong to one message: their macros are forgotten when it ends. */
    private static final String MESSAGE_STAGES = "MRTLNBE";

    private final Path spoolDirectory;
    private final int spoolMemoryLimit;
    private final Limits limits;
    private final Map<Character, Map<String, String>> macros = new HashMap<>();
    private int macroBytes;
    private long headerBytes;
    /** Bytes of the spool that are the header section: the header lines as received and the blank line. */
    private long headerSection;
    private long messageBytes;
    private String refusal;
    private MessageTrace trace = new MessageTrace();
    private MilterCommand.Connect client;
    private String helo = "";
    private String sender;
    private final List<String> recipients = new ArrayList<>();
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private MessageSpool spool;
    private boolean keepContent = true;

    Transaction(Path spoolDirectory, int spoolMemoryLimit, Limits limits) {
        this.spoolDirectory = spoolDirectory;
        this.spoolMemoryLimit = spoolMemoryLimit;
        this.limits = limits;
    }

    /** The connecting SMTP client, or {@code null} when the MTA left CONNECT out. */
    public MilterCommand.Connect client() {
        return client;
    }

    public String helo() {
        return helo;
    }

    /**
     * The macros in force: those of the connection (connect, HELO) and of the message under way;
     * where two stages define one name, the later stage's value wins.
     */
    public Map<String, String> macros() {
        Map<String, String> all = new HashMap<>();
        for (char stage : STAGES.toCharArray()) {
            Map<String, String> m = macros.get(stage);
            if (m != null) {
                all.putAll(m);
            }
        }
        return Map.copyOf(all);
    }

    /** One macro's value in force ({@link #macros()} without building the whole map), or {@code ""}. */
    public String macro(String name) {
        for (int i = STAGES.length() - 1; i >= 0; i--) {
            Map<String, String> m = macros.get(STAGES.charAt(i));
            String v = m == null ? null : m.get(name);
            if (v != null) {
                return v;
            }
        }
        return "";
    }

    /** {@code <a@example.com>} as {@code a@example.com}, {@code <>} as {@code ""}, {@code null} as {@code ""}. */
    public static String unbracket(String address) {
        String a = address == null ? "" : address.strip();
        return a.startsWith("<") && a.endsWith(">") ? a.substring(1, a.length() - 1) : a;
    }

    /** What the filter records about the message under way, for its mail log line. */
    public MessageTrace trace() {
        return trace;
    }

    /** Bytes of the message under way received so far: headers as received, the blank line, the body. */
    public long size() {
        return messageBytes;
    }

    /** The first Message-ID header of the message under way, or {@code ""}. */
    public String messageId() {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase("Message-ID")).map(h -> h.getValue().strip()).findFirst().orElse("");
    }

    /**
     * Why the message under way will be refused at its end (it grew past a limit, and nothing
     * beyond the limit was kept), as the SMTP reply to give; {@code null} when it is within them.
     */
    public String refusal() {
        return refusal;
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

    /** How many bytes at the start of {@link #spool()} are the header section (its header lines and the blank line). */
    public long headerSectionBytes() {
        return headerSection;
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

    /**
     * The macros the MTA sent for {@code stage}; they replace that stage's earlier ones.
     *
     * @throws MilterProtocolException for an unknown stage, or when the macros kept would pass
     *         {@link Limits#maxMacroBytes()}
     */
    void macros(char stage, Map<String, String> values) {
        if (STAGES.indexOf(stage) < 0) {
            throw new MilterProtocolException("MACRO for unknown command '" + MilterCommand.printable(stage) + "'");
        }
        Map<String, String> old = macros.put(stage, Map.copyOf(values));
        macroBytes += size(values) - (old == null ? 0 : size(old));
        if (macroBytes > limits.maxMacroBytes()) {
            throw new MilterProtocolException("macros of " + macroBytes + " bytes exceed the limit of " + limits.maxMacroBytes() + " bytes");
        }
    }

    private static int size(Map<String, String> values) {
        int n = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            n += e.getKey().length() + e.getValue().length() + 2;
        }
        return n;
    }

    private void forgetMacros(String stages) {
        for (char stage : stages.toCharArray()) {
            Map<String, String> old = macros.remove(stage);
            if (old != null) {
                macroBytes -= size(old);
            }
        }
    }

    void startMessage(String from) {
        forgetContent(); // not the macros: the MTA sends this message's MAIL macros just before MAIL
        trace = new MessageTrace();
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
        long cost = (long) name.length() + value.length() + Limits.HEADER_OVERHEAD;
        if (refusal == null && headerBytes + cost > limits.maxHeaderBytes()) {
            refuse("552 5.3.4 Message header too large: more than " + limits.maxHeaderBytes() + " bytes of headers");
        }
        int lineLength = name.length() + value.length() + (leadingSpaceIncluded ? 3 : 4);
        if (refusal != null || !admit(lineLength)) {
            return;
        }
        headerBytes += cost;
        headers.add(Map.entry(name, value));
        if (keepContent) {
            byte[] line = (name + ":" + (leadingSpaceIncluded ? "" : " ") + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            spoolOrOpen().append(line);
            headerSection += line.length;
        }
    }

    void endOfHeaders() throws IOException {
        if (admit(2) && keepContent) {
            spoolOrOpen().append(new byte[] {'\r', '\n'});
            headerSection += 2;
        }
    }

    void body(ByteBuf chunk) throws IOException {
        if (admit(chunk.readableBytes()) && keepContent) {
            spoolOrOpen().append(chunk);
        }
    }

    /** Counts {@code bytes} more of the message; false once the message is refused (nothing more is kept). */
    private boolean admit(long bytes) {
        if (refusal != null) {
            return false;
        }
        messageBytes += bytes;
        if (messageBytes > limits.maxMessageBytes()) {
            refuse("552 5.3.4 Message too big for this gateway: more than " + limits.maxMessageBytes() + " bytes");
            return false;
        }
        return true;
    }

    /** The message will be refused at its end: its spool goes now, and nothing more of it is kept. */
    private void refuse(String reply) {
        refusal = reply;
        keepContent = false;
        if (spool != null) {
            spool.close();
            spool = null;
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
        forgetContent();
        forgetMacros(MESSAGE_STAGES);
    }

    private void forgetContent() {
        sender = null;
        recipients.clear();
        headers.clear();
        headerBytes = 0;
        headerSection = 0;
        messageBytes = 0;
        refusal = null;
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
        forgetMacros(STAGES);
    }

    @Override
    public void close() {
        endClient();
    }
}
