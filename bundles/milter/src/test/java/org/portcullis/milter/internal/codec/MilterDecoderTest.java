package org.portcullis.milter.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.portcullis.milter.internal.codec.Frames.concat;
import static org.portcullis.milter.internal.codec.Frames.frame;
import static org.portcullis.milter.internal.codec.Frames.withLength;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.portcullis.milter.internal.codec.MilterCommand.Family;

class MilterDecoderTest {

    private static final int LIMIT = 1 << 20;

    static Stream<Arguments> validFrames() {
        Map<String, String> macros = new LinkedHashMap<>();
        macros.put("j", "mx.example.org");
        macros.put("{daemon_name}", "smtpd");
        return Stream.of(
            Arguments.of(frame('O', 6, 0x1ff, 0x1fffff), new MilterCommand.OptionNegotiation(6, 0x1ff, 0x1fffff)),
            Arguments.of(frame('C', "mail.example.com", '4', (short) 41234, "192.0.2.10"),
                    new MilterCommand.Connect("mail.example.com", Family.INET, 41234, "192.0.2.10")),
            Arguments.of(frame('C', "[2001:db8::1]", '6', (short) 25, "2001:db8::1"),
                    new MilterCommand.Connect("[2001:db8::1]", Family.INET6, 25, "2001:db8::1")),
            Arguments.of(frame('C', "localhost", 'L', (short) 0, "/run/sock"),
                    new MilterCommand.Connect("localhost", Family.UNIX, 0, "/run/sock")),
            Arguments.of(frame('C', "unknown", 'U'), new MilterCommand.Connect("unknown", Family.UNKNOWN, 0, "")),
            Arguments.of(frame('H', "client.example.com"), new MilterCommand.Helo("client.example.com")),
            Arguments.of(frame('M', "<a@example.com>", "SIZE=1024", "BODY=8BITMIME"),
                    new MilterCommand.Mail(List.of("<a@example.com>", "SIZE=1024", "BODY=8BITMIME"))),
            Arguments.of(frame('M', "<>"), new MilterCommand.Mail(List.of("<>"))),
            Arguments.of(frame('R', "<b@example.net>"), new MilterCommand.Rcpt(List.of("<b@example.net>"))),
            Arguments.of(frame('D', 'C', "j", "mx.example.org", "{daemon_name}", "smtpd"), new MilterCommand.Macros('C', macros)),
            Arguments.of(frame('D', 'T'), new MilterCommand.Macros('T', Map.of())),
            Arguments.of(frame('T'), new MilterCommand.Data()),
            Arguments.of(frame('L', "Subject", " hello\r\n\tworld"), new MilterCommand.Header("Subject", " hello\r\n\tworld")),
            Arguments.of(frame('L', "X-Empty", ""), new MilterCommand.Header("X-Empty", "")),
            Arguments.of(frame('L', "Subject", "caf\u00e9"), new MilterCommand.Header("Subject", "caf\u00e9")),
            Arguments.of(frame('N'), new MilterCommand.EndOfHeaders()),
            Arguments.of(frame('U', "XFOO bar"), new MilterCommand.Unknown("XFOO bar")),
            Arguments.of(frame('A'), new MilterCommand.Abort()),
            Arguments.of(frame('Q'), new MilterCommand.Quit()),
            Arguments.of(frame('K'), new MilterCommand.QuitNewConnection()));
    }

    @ParameterizedTest
    @MethodSource("validFrames")
    void decodesEachCommand(byte[] wire, MilterCommand expected) {
        assertEquals(List.of(expected), decodeAll(wire));
    }

    @Test
    void bodyAndEndOfMessageCarryTheirBytesAndHoldTheBufferUntilReleased() {
        byte[] chunk = "line one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteBuf wire = Unpooled.wrappedBuffer(concat(frame('B', chunk), frame('E')));
        EmbeddedChannel channel = new EmbeddedChannel(new MilterDecoder(LIMIT, Duration.ofMinutes(1)));
        channel.writeInbound(wire);
        List<MilterCommand> commands = drain(channel);
        MilterCommand.Body body = assertInstanceOf(MilterCommand.Body.class, commands.get(0));
        MilterCommand.EndOfMessage eom = assertInstanceOf(MilterCommand.EndOfMessage.class, commands.get(1));
        assertEquals("line one\r\nline two\r\n", body.chunk().toString(StandardCharsets.US_ASCII));
        assertEquals(0, eom.chunk().readableBytes());
        assertTrue(wire.refCnt() > 0, "the chunks still use the received buffer");
        body.chunk().release();
        eom.chunk().release();
        assertEquals(0, wire.refCnt(), "released chunks must free the received buffer");
        assertFalse(channel.finish());
    }

    @Test
    void aFullSizeBodyChunkIsAccepted() {
        byte[] chunk = new byte[MilterProtocol.CHUNK_SIZE];
        MilterCommand.Body body = (MilterCommand.Body) decodeAll(frame('B', chunk)).get(0);
        assertEquals(MilterProtocol.CHUNK_SIZE, body.chunk().readableBytes());
        body.chunk().release();
    }

    @Test
    void framesSplitAtEveryByteDecodeTheSame() {
        byte[] wire = concat(frame('O', 6, 0x1ff, 0), frame('C', "host", '4', (short) 25, "192.0.2.1"),
                frame('L', "From", "a@example.com"), frame('N'), frame('Q'));
        List<MilterCommand> whole = decodeAll(wire);
        EmbeddedChannel channel = new EmbeddedChannel(new MilterDecoder(LIMIT, Duration.ofMinutes(1)));
        for (byte b : wire) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertEquals(whole, drain(channel));
        assertEquals(5, whole.size());
    }

    static Stream<Arguments> malformedFrames() {
        return Stream.of(
            Arguments.of(withLength(new byte[0]), "empty frame"),
            Arguments.of(new byte[] {0, 0x20, 0, 1, 'B'}, "exceeds the limit"),
            Arguments.of(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'B'}, "exceeds the limit"),
            Arguments.of(frame('Z'), "unknown command code 'Z'"),
            Arguments.of(frame((char) 0x01), "unknown command code '0x01'"),
            Arguments.of(frame('O', 6, 0x1ff), "OPTNEG: payload is 8 bytes"),
            Arguments.of(frame('C', "host"), "CONNECT: address family missing"),
            Arguments.of(frame('C', "host", '9', (short) 25, "x"), "CONNECT: unknown address family '9'"),
            Arguments.of(frame('C', "host", '4', (byte[]) new byte[] {0}), "CONNECT: port missing"),
            Arguments.of(frame('C', "host", '4', (short) 25, "192.0.2.1".getBytes(StandardCharsets.US_ASCII)),
                    "CONNECT: address is not NUL-terminated"),
            Arguments.of(frame('H', "no-nul".getBytes(StandardCharsets.US_ASCII)), "HELO: name is not NUL-terminated"),
            Arguments.of(frame('M'), "MAIL: argument 1 is not NUL-terminated"),
            Arguments.of(frame('D'), "MACRO: command code missing"),
            Arguments.of(frame('D', 'C', "j"), "MACRO: macro 'j' has no value"),
            Arguments.of(frame('L', "Subject"), "HEADER: value is not NUL-terminated"),
            Arguments.of(frame('N', "junk"), "EOH: 5 unexpected bytes"),
            Arguments.of(frame('Q', (byte[]) new byte[] {1}), "QUIT: 1 unexpected bytes"));
    }

    @ParameterizedTest
    @MethodSource("malformedFrames")
    void malformedFrameIsRefusedWithAOneLineReasonAndTheRestDiscarded(byte[] wire, String reason) {
        EmbeddedChannel channel = new EmbeddedChannel(new MilterDecoder(1 << 19, Duration.ofMinutes(1)));
        DecoderException e = assertThrows(DecoderException.class,
                () -> channel.writeInbound(Unpooled.wrappedBuffer(concat(wire, frame('Q')))));
        MilterProtocolException cause = assertInstanceOf(MilterProtocolException.class, e.getCause());
        assertTrue(cause.getMessage().contains(reason), cause.getMessage());
        assertFalse(cause.getMessage().contains("\n"));
        // Whatever follows a bad frame is not trusted: the QUIT behind it is not decoded.
        channel.writeInbound(Unpooled.wrappedBuffer(frame('Q')));
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void aMalformedFrameLeaksNoBuffer() {
        ByteBuf wire = Unpooled.wrappedBuffer(concat(frame('B', (byte[]) new byte[100]), frame('N', "junk"), frame('Q')));
        EmbeddedChannel channel = new EmbeddedChannel(new MilterDecoder(LIMIT, Duration.ofMinutes(1)));
        assertThrows(DecoderException.class, () -> channel.writeInbound(wire));
        MilterCommand.Body body = channel.readInbound();
        body.chunk().release();
        channel.finishAndReleaseAll();
        assertEquals(0, wire.refCnt());
    }

    @Test
    void manyTinyReadsOfAnUnfinishedFrameHoldTheirBytesNotAReadBufferEach() {
        ByteBuf cumulation = io.netty.buffer.Unpooled.EMPTY_BUFFER;
        List<ByteBuf> reads = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ByteBuf read = io.netty.buffer.Unpooled.buffer(16 * 1024).writeByte('x'); // what a 1-byte read arrives in
            reads.add(read);
            cumulation = MilterDecoder.BOUNDED_COMPOSITE.cumulate(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, cumulation, read);
        }
        assertEquals(10_000, cumulation.readableBytes());
        io.netty.buffer.CompositeByteBuf composite = (io.netty.buffer.CompositeByteBuf) cumulation;
        assertTrue(composite.numComponents() <= MilterDecoder.MAX_COMPONENTS, composite.numComponents() + " components");
        long held = 0;
        for (int i = 0; i < composite.numComponents(); i++) {
            held += composite.internalComponent(i).capacity();
        }
        assertTrue(held < 10_000 + MilterDecoder.MAX_COMPONENTS * 16 * 1024, held + " bytes held for 10000 bytes received");
        assertEquals(0, reads.subList(0, reads.size() - MilterDecoder.MAX_COMPONENTS).stream().mapToInt(ByteBuf::refCnt).sum(),
                "the read buffers copied into one are released");
        cumulation.release();
    }

    private static List<MilterCommand> decodeAll(byte[] wire) {
        EmbeddedChannel channel = new EmbeddedChannel(new MilterDecoder(LIMIT, Duration.ofMinutes(1)));
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        List<MilterCommand> out = drain(channel);
        channel.finish();
        return out;
    }

    private static List<MilterCommand> drain(EmbeddedChannel channel) {
        List<MilterCommand> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null;) {
            out.add((MilterCommand) o);
        }
        return out;
    }
}
