package org.portcullis.milter.internal.server;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.portcullis.milter.internal.codec.MilterDecoder;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.MilterSessionHandler;
import org.portcullis.milter.internal.session.SessionSettings;

/**
 * Listens for MTA connections. Each connection gets an idle timeout, the frame decoder and its
 * own session with a new filter. Replies are small and latency-bound, so Nagle is off
 * ({@code TCP_NODELAY}). Uses Linux epoll (Netty's native transport) when it loads, and plain
 * NIO otherwise.
 */
public final class MilterServer implements AutoCloseable {

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final ChannelGroup connections;
    private final Channel listener;
    private final String transport;

    private MilterServer(EventLoopGroup acceptor, EventLoopGroup workers, ChannelGroup connections, Channel listener,
            String transport) {
        this.transport = transport;
        this.acceptor = acceptor;
        this.workers = workers;
        this.connections = connections;
        this.listener = listener;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @param filters makes the filter of each new connection
     */
    public static MilterServer start(InetSocketAddress address, SessionSettings settings, Supplier<MilterFilter> filters)
            throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(io);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try {
            Channel listener = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // body chunks come in frames of up to 64 KiB: read up to 256 KiB at once so a
                    // large message takes few reads and few frames straddle two reads
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast(
                                    new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                    new MilterDecoder(settings.maxFrameLength()),
                                    new MilterSessionHandler(settings, filters.get()));
                        }
                    })
                    .bind(address).sync().channel();
            return new MilterServer(acceptor, workers, connections, listener, epoll ? "epoll" : "nio");
        } catch (RuntimeException | InterruptedException e) {
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The network layer in use: {@code epoll} (native) or {@code nio}. */
    public String transport() {
        return transport;
    }

    /** The address actually bound (useful when port 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** MTA connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Stops accepting, closes every connection (their spools are deleted) and stops the threads. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
        acceptor.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
