package org.portcullis.milter.internal.codec;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Cuts the byte stream into frames (4-byte big-endian length, then the command code and payload)
 * and parses each into a {@link MilterCommand}. A frame longer than the limit, an empty frame or a
 * malformed payload raises a {@link MilterProtocolException}; the decoder then discards everything
 * else the peer sends, and the session closes the connection.
 */
public final class MilterDecoder extends ByteToMessageDecoder {

    private final int maxFrameLength;
    private boolean failed;

    /** @param maxFrameLength largest accepted frame (code and payload), in bytes */
    public MilterDecoder(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
        // a body frame (64 KiB) mostly straddles two reads: chaining the reads instead of merging
        // them avoids copying every byte of a large message a second time
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length == 0 || length > maxFrameLength) {
            fail(in);
            throw new MilterProtocolException(length == 0 ? "empty frame (length 0, no command code)"
                    : "frame of " + length + " bytes exceeds the limit of " + maxFrameLength + " bytes");
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        ByteBuf frame = in.readSlice((int) length);
        try {
            out.add(CommandParser.parse(frame));
        } catch (MilterProtocolException e) {
            fail(in);
            throw e;
        }
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
