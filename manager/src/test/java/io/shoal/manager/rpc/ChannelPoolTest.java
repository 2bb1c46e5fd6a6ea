package io.shoal.manager.rpc;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetClusterInfoRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChannelPool#getUp}: a channel that failed to connect while its daemon was down waits out
 * gRPC's reconnect back-off; asked for as a daemon known to be up, it connects at once.
 */
class ChannelPoolTest {
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private Server server;

    private final ChannelPool pool = new ChannelPool() {
        @Override
        public ManagedChannel get(String address) {
            return channels.computeIfAbsent(address, a -> InProcessChannelBuilder.forName(a).build());
        }

        @Override
        public void close() {
            channels.values().forEach(ManagedChannel::shutdownNow);
        }
    };

    @AfterEach
    void close() {
        pool.close();
        if (server != null) {
            server.shutdownNow();
        }
    }

    private static ClusterInfo info(ManagedChannel channel) {
        return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
    }

    private static void awaitState(ManagedChannel channel, ConnectivityState wanted) throws InterruptedException {
        while (true) {
            ConnectivityState now = channel.getState(false);
            if (now == wanted) {
                return;
            }
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(now, changed::countDown);
            assertTrue(changed.await(30, TimeUnit.SECONDS), "channel stuck in " + now + ", waiting for " + wanted);
        }
    }

    @Test
    void aDaemonKnownToBeUpIsCalledWithoutWaitingOutTheBackoff() throws Exception {
        String daemon = "daemon-" + UUID.randomUUID();
        ManagedChannel channel = pool.get(daemon);
        // the daemon is down: the first call fails and the channel backs off (1 s at first)
        assertThrows(StatusRuntimeException.class, () -> info(channel));
        awaitState(channel, ConnectivityState.TRANSIENT_FAILURE);

        server = InProcessServerBuilder.forName(daemon).addService(new ControlGrpc.ControlImplBase() {
            @Override
            public void getClusterInfo(GetClusterInfoRequest request, StreamObserver<ClusterInfo> reply) {
                reply.onNext(ClusterInfo.newBuilder().setLeaderAddr("here").build());
                reply.onCompleted();
            }
        }).build().start();

        // without getUp a call here fails at once until the back-off ends
        assertEquals(channel, pool.getUp(daemon));
        assertEquals("here", info(channel).getLeaderAddr());
    }

    @Test
    void aConnectedChannelIsLeftAlone() throws Exception {
        String daemon = "daemon-" + UUID.randomUUID();
        server = InProcessServerBuilder.forName(daemon).addService(new ControlGrpc.ControlImplBase() {
            @Override
            public void getClusterInfo(GetClusterInfoRequest request, StreamObserver<ClusterInfo> reply) {
                reply.onNext(ClusterInfo.getDefaultInstance());
                reply.onCompleted();
            }
        }).build().start();
        ManagedChannel channel = pool.get(daemon);
        info(channel);
        assertEquals(ConnectivityState.READY, channel.getState(false));
        assertEquals(channel, pool.getUp(daemon));
        assertEquals(ConnectivityState.READY, channel.getState(false));
    }
}
