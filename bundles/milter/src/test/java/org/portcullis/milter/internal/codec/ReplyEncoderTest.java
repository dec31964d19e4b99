package org.portcullis.milter.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.portcullis.milter.internal.codec.Frames.concat;
import static org.portcullis.milter.internal.codec.Frames.frame;

import java.util.Map;
import java.util.stream.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyEncoderTest {

    static Stream<Arguments> replies() {
        return Stream.of(
            Arguments.of(MilterReply.Action.CONTINUE, frame('c')),
            Arguments.of(MilterReply.Action.ACCEPT, frame('a')),
            Arguments.of(MilterReply.Action.REJECT, frame('r')),
            Arguments.of(MilterReply.Action.TEMPFAIL, frame('t')),
            Arguments.of(MilterReply.Action.DISCARD, frame('d')),
            Arguments.of(MilterReply.Action.PROGRESS, frame('p')),
            Arguments.of(MilterReply.Action.SKIP, frame('s')),
            Arguments.of(MilterReply.Action.CONNECTION_FAILURE, frame('f')),
            Arguments.of(MilterReply.Action.SHUTDOWN, frame('4')),
            Arguments.of(new MilterReply.Negotiate(6, 0x21, 0x100000, Map.of()), frame('O', 6, 0x21, 0x100000)),
            Arguments.of(new MilterReply.Negotiate(6, 0x101, 0, Map.of(5, "{msg_id}", 1, "{tls_version}")),
                    frame('O', 6, 0x101, 0, 1, "{tls_version}", 5, "{msg_id}")),
            Arguments.of(new MilterReply.ReplyCode("550 5.7.1 Message rejected: virus Eicar-Test"),
                    frame('y', "550 5.7.1 Message rejected: virus Eicar-Test")),
            Arguments.of(new MilterReply.ReplyCode("451"), frame('y', "451")),
            Arguments.of(new MilterReply.AddHeader("X-Portcullis-Verdict", "clean"), frame('h', "X-Portcullis-Verdict", "clean")),
            Arguments.of(new MilterReply.InsertHeader(0, "X-Portcullis", "first"), frame('i', 0, "X-Portcullis", "first")),
            Arguments.of(new MilterReply.ChangeHeader(1, "Subject", ""), frame('m', 1, "Subject", "")),
            Arguments.of(new MilterReply.AddRecipient("<c@example.org>"), frame('+', "<c@example.org>")),
            Arguments.of(new MilterReply.AddRecipientWithArgs("<c@example.org>", "NOTIFY=NEVER"),
                    frame('2', "<c@example.org>", "NOTIFY=NEVER")),
            Arguments.of(new MilterReply.DeleteRecipient("<b@example.net>"), frame('-', "<b@example.net>")),
            Arguments.of(new MilterReply.ChangeFrom("<bounce@example.org>", ""), frame('e', "<bounce@example.org>")),
            Arguments.of(new MilterReply.ChangeFrom("<bounce@example.org>", "SIZE=10"), frame('e', "<bounce@example.org>", "SIZE=10")),
            Arguments.of(new MilterReply.Quarantine("sandbox: macro document"), frame('q', "sandbox: macro document")),
            Arguments.of(new MilterReply.ReplaceBody(new byte[] {1, 2, 3}), frame('b', (byte[]) new byte[] {1, 2, 3})));
    }

    @ParameterizedTest
    @MethodSource("replies")
    void encodesEachReply(MilterReply reply, byte[] expected) {
        ByteBuf out = Unpooled.buffer();
        ReplyEncoder.encode(reply, out);
        assertArrayEquals(expected, ByteBufUtil.getBytes(out));
    }

    @Test
    void aBurstOfRepliesGoesIntoOneBuffer() {
        ByteBuf out = Unpooled.buffer();
        ReplyEncoder.encode(new MilterReply.AddHeader("X-Portcullis-Verdict", "clean"), out);
        ReplyEncoder.encode(new MilterReply.AddHeader("X-Portcullis-Score", "0.0"), out);
        ReplyEncoder.encode(MilterReply.Action.ACCEPT, out);
        assertArrayEquals(concat(frame('h', "X-Portcullis-Verdict", "clean"), frame('h', "X-Portcullis-Score", "0.0"),
                frame('a')), ByteBufUtil.getBytes(out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"250 ok", "55 short", "550 5.7.1 two\r\nlines", "hello", "550\u00005.7.1"})
    void refusesReplyCodesTheMtaWouldMisread(String text) {
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.ReplyCode(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X Bad", "X-Colon:", "X-\u00e9"})
    void refusesBadHeaderNames(String name) {
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.AddHeader(name, "v"));
    }

    @Test
    void refusesNulInValuesAndOversizedBodyChunks() {
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.AddHeader("X-A", "a\u0000b"));
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.AddHeader("X-A", "\u20ac"));
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.Quarantine(null));
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.InsertHeader(-1, "X-A", "v"));
        assertThrows(IllegalArgumentException.class, () -> new MilterReply.ReplaceBody(new byte[MilterProtocol.CHUNK_SIZE + 1]));
    }
}
