package io.shoal.node;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.shoal.manager.rpc.ChannelPool;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Mutual-TLS channels to other daemons, made once per address and shared. A renewed certificate
 * is presented from the next connection on; connections already made keep going.
 */
final class TlsChannelPool implements ChannelPool {
    private final SslContext context;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TlsChannelPool(NodeTls tls) {
        this.context = Tls.client(tls);
    }

    @Override
    public ManagedChannel get(String address) {
        if (closed) {
            throw new IllegalStateException("channel pool closed");
        }
        return channels.computeIfAbsent(address, a -> Tls.channel(a, context));
    }

    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channels.clear();
    }
}
