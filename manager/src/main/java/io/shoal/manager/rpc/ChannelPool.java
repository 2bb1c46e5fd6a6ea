package io.shoal.manager.rpc;

import io.grpc.ManagedChannel;

/** Long-lived mutual-TLS channels to other daemons, one per address ({@code IP:PORT}). */
public interface ChannelPool extends AutoCloseable {
    ManagedChannel get(String address);

    @Override
    void close();
}
