package org.portcullis.acme.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * Answers ACME HTTP-01 challenges ({@code GET /.well-known/acme-challenge/<token>}) while an order
 * runs: only tokens of live challenges, with their key authorisations; everything else 404.
 * It listens only between {@link #open} and {@link #close}.
 */
final class Http01Responder implements AutoCloseable {

    static final String PREFIX = "/.well-known/acme-challenge/";

    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private EventLoopGroup group;
    private Channel channel;

    /** Starts listening. @throws IOException naming the address when it cannot (port taken, no right to bind below 1024) */
    void open(String address, int port) throws IOException {
        InetSocketAddress at = address == null || address.isBlank() ? new InetSocketAddress(port) : new InetSocketAddress(address.strip(), port);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new ReadTimeoutHandler(30), new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(4096),
                            new Answer());
                }
            }).bind(at).sync().channel();
        } catch (Exception e) {
            close();
            throw new IOException("the HTTP-01 responder cannot listen on " + (address == null || address.isBlank() ? "*" : address.strip()) + ":" + port
                    + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); is the port taken?", e);
        }
    }

    /** The port it listens on (for tests with port 0). */
    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    void put(String token, String keyAuthorization) {
        tokens.put(token, keyAuthorization);
    }

    void remove(String token) {
        tokens.remove(token);
    }

    @Override
    public void close() {
        tokens.clear();
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
            group = null;
        }
    }

    private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri();
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            String answer = null;
            if ((HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method())) && path.startsWith(PREFIX)) {
                answer = tokens.get(path.substring(PREFIX.length()));
            }
            byte[] body = answer == null ? "not found\n".getBytes(StandardCharsets.US_ASCII) : answer.getBytes(StandardCharsets.US_ASCII);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer == null ? HttpResponseStatus.NOT_FOUND
                    : HttpResponseStatus.OK, HttpMethod.HEAD.equals(request.method()) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
