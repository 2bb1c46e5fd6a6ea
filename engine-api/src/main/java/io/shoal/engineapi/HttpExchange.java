package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.shoal.dockermodel.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link Exchange} on a Netty channel: one response per request, with the headers dockerd puts
 * on every response. When the response is done the channel reads the next request (keep-alive) or
 * closes; {@code done} is told either way.
 */
final class HttpExchange implements Exchange {
    private final Channel channel;
    private final boolean keepAlive;
    private final boolean head;
    private final Runnable done;
    private final Map<String, String> extraHeaders = new LinkedHashMap<>();
    private final AtomicBoolean answered = new AtomicBoolean();

    HttpExchange(Channel channel, boolean keepAlive, boolean head, Runnable done) {
        this.channel = channel;
        this.keepAlive = keepAlive;
        this.head = head;
        this.done = done;
    }

    boolean answered() {
        return answered.get();
    }

    @Override
    public void header(String name, String value) {
        extraHeaders.put(name, value);
    }

    private void common(HttpHeaders h) {
        h.set("Api-Version", ApiVersion.MAX.toString());
        h.set("Docker-Experimental", "false");
        h.set("Ostype", "linux");
        h.set(HttpHeaderNames.SERVER, "Shoal (linux)");
        extraHeaders.forEach(h::set);
    }

    private void full(int status, String contentType, byte[] body) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        common(r.headers());
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, head ? 0 : body.length);
        finish(channel.writeAndFlush(r));
    }

    private void finish(ChannelFuture f) {
        if (keepAlive) {
            f.addListener((ChannelFutureListener) x -> done.run());
        } else {
            f.addListener(ChannelFutureListener.CLOSE);
            done.run();
        }
    }

    @Override
    public void json(int status, JsonNode body) {
        full(status, "application/json", (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void empty(int status) {
        full(status, null, new byte[0]);
    }

    @Override
    public void text(int status, String contentType, String body) {
        full(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Stream stream(String contentType) {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("already answered");
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        common(r.headers());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setTransferEncodingChunked(r, true);
        r.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        channel.writeAndFlush(r);
        return new Stream() {
            private final AtomicBoolean closed = new AtomicBoolean();

            @Override
            public boolean write(byte[] chunk) {
                if (!channel.isActive()) {
                    return false;
                }
                channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
                return true;
            }

            @Override
            public boolean open() {
                return channel.isActive() && !closed.get();
            }

            @Override
            public void onClose(Runnable c) {
                channel.closeFuture().addListener(x -> c.run());
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    finish(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
                }
            }
        };
    }
}
