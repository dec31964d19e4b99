package org.portcullis.milter.internal.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
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
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.portcullis.milter.internal.codec.MilterDecoder;
import org.portcullis.milter.internal.session.MilterFilter;
import org.portcullis.milter.internal.session.MilterSessionHandler;
import org.portcullis.milter.internal.session.SessionSettings;

/**
 * Listens for MTA connections. Each connection gets an idle timeout, the frame decoder and its
 * own session with a new filter; past {@link org.portcullis.milter.internal.session.Limits#maxConnections}
 * open connections a new one is closed at once (logged at most once a minute). Replies are small and latency-bound, so Nagle is off
 * ({@code TCP_NODELAY}). Uses Linux epoll (Netty's native transport) when it loads, and plain
 * NIO otherwise. Listens on TCP, or on a unix socket (epoll only): a stale socket file left by a
 * crash is replaced, the file gets the permissions asked for, and it is removed on close.
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
        return start((SocketAddress) address, settings, filters);
    }

    /**
     * Listens on the unix socket {@code path}, whose file gets {@code permissions}.
     *
     * @throws IllegalStateException when the native epoll transport is not available, or the path
     *         is taken by something that is not a socket
     */
    public static MilterServer startUnix(Path path, Set<PosixFilePermission> permissions, SessionSettings settings,
            Supplier<MilterFilter> filters) throws InterruptedException, IOException {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("a unix socket needs Netty's native epoll transport, which does not load here: "
                    + "listen on address and port instead");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!"socket".equals(fileType(path))) {
                throw new IllegalStateException(path + " exists and is not a socket: choose another socket path");
            }
            Files.delete(path); // left by a process that did not close it
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        MilterServer server = start(new DomainSocketAddress(path.toFile()), settings, filters);
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException | UncheckedIOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String fileType(Path path) throws IOException {
        // a socket is neither a regular file, a directory nor a link; "unix:mode" tells it apart
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000 ? "socket" : "other";
    }

    private static MilterServer start(SocketAddress address, SessionSettings settings, Supplier<MilterFilter> filters)
            throws InterruptedException {
        boolean unix = address instanceof DomainSocketAddress;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> type = unix ? EpollServerDomainSocketChannel.class
                : epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(io);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ConnectionRefusals refusals = new ConnectionRefusals(settings.limits().maxConnections());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 256);
            if (!unix) {
                bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
            }
            Channel listener = bootstrap
                    // body chunks come in frames of up to 64 KiB: read up to 256 KiB at once so a
                    // large message takes few reads and few frames straddle two reads
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024))
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (connections.size() >= settings.limits().maxConnections()) {
                                refusals.refused(ch.remoteAddress());
                                ch.close();
                                return;
                            }
                            connections.add(ch);
                            ch.pipeline().addLast(
                                    new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                    new MilterDecoder(settings.limits().maxFrameLength(), settings.limits().frameTimeout()),
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

    /** The TCP address actually bound (useful when port 0 was asked for); {@code null} on a unix socket. */
    public InetSocketAddress address() {
        return listener.localAddress() instanceof InetSocketAddress a ? a : null;
    }

    /** Where Postfix finds this milter, in its own notation: {@code inet:HOST:PORT} or {@code unix:PATH}. */
    public String endpoint() {
        if (listener.localAddress() instanceof DomainSocketAddress d) {
            return "unix:" + d.path();
        }
        InetSocketAddress a = address();
        return "inet:" + a.getHostString() + ":" + a.getPort();
    }

    /** MTA connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Stops accepting, closes every connection (their spools are deleted) and stops the threads. */
    @Override
    public void close() {
        SocketAddress bound = listener.localAddress();
        listener.close().syncUninterruptibly();
        if (bound instanceof DomainSocketAddress d) {
            try {
                Files.deleteIfExists(Path.of(d.path()));
            } catch (IOException e) {
                // the next start replaces a stale socket file
            }
        }
        connections.close().syncUninterruptibly();
        acceptor.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
