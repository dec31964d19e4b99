package org.portcullis.milter.internal.codec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Cuts the byte stream into frames (4-byte big-endian length, then the command code and payload)
 * and parses each into a {@link MilterCommand}. A frame longer than the limit, an empty frame or a
 * malformed payload raises a {@link MilterProtocolException}; the decoder then discards everything
 * else the peer sends, and the session closes the connection.
 *
 * <p>A frame must arrive whole within {@code frameTimeout} of its first byte: a peer that keeps
 * a connection alive by trickling a byte at a time never gets past an idle timeout, but it gets
 * past no deadline. Bytes of an unfinished frame are kept in at most {@link #MAX_COMPONENTS}
 * buffers, so many tiny reads cost the bytes they carry, not a read buffer each.
 */
public final class MilterDecoder extends ByteToMessageDecoder {

    /** Read buffers chained before they are copied into one. */
    static final int MAX_COMPONENTS = 16;

    /**
     * Chains reads instead of merging them: a 64 KiB body frame mostly straddles two reads, and
     * copying would move every byte of a large message a second time. Past
     * {@link #MAX_COMPONENTS} the chain is consolidated (so a dribble of tiny reads is copied into
     * one buffer instead of holding a read buffer per byte).
     */
    static final Cumulator BOUNDED_COMPOSITE = (ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) -> {
        if (!cumulation.isReadable()) {
            cumulation.release();
            return in;
        }
        CompositeByteBuf composite = null;
        try {
            if (cumulation instanceof CompositeByteBuf c && cumulation.refCnt() == 1) {
                composite = c;
                if (composite.writerIndex() != composite.capacity()) {
                    composite.capacity(composite.writerIndex());
                }
            } else {
                composite = alloc.compositeBuffer(MAX_COMPONENTS).addFlattenedComponents(true, cumulation);
            }
            composite.addFlattenedComponents(true, in);
            in = null;
            return composite;
        } finally {
            if (in != null) {
                in.release();
                if (composite != null && composite != cumulation) {
                    composite.release();
                }
            }
        }
    };

    private final int maxFrameLength;
    private final long frameTimeoutNanos;
    private boolean failed;
    /** When the unfinished frame's first byte arrived (System.nanoTime), or 0 when none is unfinished. */
    private long partialSince;
    /** The pending deadline check, at most one per connection; {@code null} when none is pending. */
    private java.util.concurrent.ScheduledFuture<?> deadline;

    /**
     * @param maxFrameLength largest accepted frame (code and payload), in bytes
     * @param frameTimeout longest a frame may take to arrive once it has begun
     */
    public MilterDecoder(int maxFrameLength, Duration frameTimeout) {
        this.maxFrameLength = maxFrameLength;
        this.frameTimeoutNanos = frameTimeout.toNanos();
        setCumulator(BOUNDED_COMPOSITE);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            partial(ctx, in);
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length == 0 || length > maxFrameLength) {
            fail(in);
            throw new MilterProtocolException(length == 0 ? "empty frame (length 0, no command code)"
                    : "frame of " + length + " bytes exceeds the limit of " + maxFrameLength + " bytes");
        }
        if (in.readableBytes() < 4 + length) {
            partial(ctx, in);
            return;
        }
        partialSince = 0;
        in.skipBytes(4);
        ByteBuf frame = in.readSlice((int) length);
        try {
            out.add(CommandParser.parse(frame));
        } catch (MilterProtocolException e) {
            fail(in);
            throw e;
        }
    }

    /** Part of a frame is here: its deadline runs from now if it has not begun already. */
    private void partial(ChannelHandlerContext ctx, ByteBuf in) {
        if (!in.isReadable() || partialSince != 0) {
            return;
        }
        partialSince = System.nanoTime();
        if (deadline == null) {
            deadline = ctx.executor().schedule(() -> checkDeadline(ctx), frameTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** On the connection's thread: closes a connection whose frame is overdue, else waits for the current frame's deadline. */
    private void checkDeadline(ChannelHandlerContext ctx) {
        deadline = null;
        if (partialSince == 0 || failed || !ctx.channel().isActive()) {
            return;
        }
        long overdueIn = partialSince + frameTimeoutNanos - System.nanoTime();
        if (overdueIn > 0) {
            deadline = ctx.executor().schedule(() -> checkDeadline(ctx), overdueIn, TimeUnit.NANOSECONDS);
            return;
        }
        failed = true;
        ctx.fireExceptionCaught(new MilterProtocolException("a frame was still incomplete " + TimeUnit.NANOSECONDS.toSeconds(frameTimeoutNanos)
                + " s after it began (the peer sends too slowly)"));
    }

    /** The connection is gone: its pending deadline check goes too, instead of waiting out the timeout in the event loop. */
    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
