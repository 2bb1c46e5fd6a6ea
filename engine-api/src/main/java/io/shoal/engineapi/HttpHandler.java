package io.shoal.engineapi;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.shoal.dockermodel.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Reads one request at a time from a connection (docker's clients do not pipeline), runs its route
 * on a virtual thread (routes block on the Control API) and reads the next request once the
 * response is written. Every failure becomes docker's {@code {"message": "..."}}.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);

    private final Router router;
    private final ExecutorService executor;
    private final Authorizer authorizer;

    HttpHandler(Router router, ExecutorService executor, Authorizer authorizer) {
        this.router = router;
        this.executor = executor;
        this.authorizer = authorizer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        ctx.read();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        Map<String, String> headers = new HashMap<>();
        msg.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        byte[] body = ByteBufUtil.getBytes(msg.content());
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        String method = msg.method().name();
        HttpExchange exchange = new HttpExchange(ctx.channel(), keepAlive, msg.method().equals(HttpMethod.HEAD), ctx::read);
        executor.execute(() -> serve(ctx, uri, method, headers, body, exchange));
    }

    private void serve(ChannelHandlerContext ctx, QueryStringDecoder uri, String method, Map<String, String> headers,
                       byte[] body, HttpExchange exchange) {
        try {
            authorizer.check(clientCert(ctx));
            ApiVersion.Versioned v = ApiVersion.of(uri.path());
            Request req = new Request(method, v.path(), v.version(), Map.of(), uri.parameters(), headers, body);
            Router.Match m = router.route(req);
            m.handler().handle(m.request(), exchange);
        } catch (Throwable e) {
            ApiError err = ApiError.of(e);
            if (err.status() >= 500) {
                LOG.warn("{} {}: {}", method, uri.uri(), err.getMessage(), err.status() == 500 ? e : null);
            }
            if (!exchange.answered()) {
                exchange.json(err.status(), Json.object().put("message", err.getMessage()));
            } else {
                ctx.close();
            }
        }
        if (!exchange.answered()) {
            exchange.empty(204);
        }
    }

    private static X509Certificate clientCert(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            throw new ApiError(403, "a client certificate of this cluster is required");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("engine API connection failed: {}", cause.getMessage());
        ctx.close();
    }
}
