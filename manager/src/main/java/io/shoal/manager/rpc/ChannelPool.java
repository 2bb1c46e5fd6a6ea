package io.shoal.manager.rpc;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;

/** Long-lived mutual-TLS channels to other daemons, one per address ({@code IP:PORT}). */
public interface ChannelPool extends AutoCloseable {
    ManagedChannel get(String address);

    /**
     * The channel to a daemon this one knows to be up (the Raft leader it has just heard from). A
     * channel whose connects failed while that daemon was down refuses calls at once until its
     * reconnect back-off ends (1 s, growing 1.6 times a failure, up to 2 minutes): here it connects
     * now instead, and the call waits for the connection. ChaosIT's long run: a follower's relays and
     * liveness reports to a restarted manager that had just been elected failed for 1-2.5 s more.
     */
    default ManagedChannel getUp(String address) {
        ManagedChannel channel = get(address);
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return channel;
    }

    @Override
    void close();
}
