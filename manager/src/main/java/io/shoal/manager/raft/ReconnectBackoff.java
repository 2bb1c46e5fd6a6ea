package io.shoal.manager.raft;

import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Ends the reconnect back-off of a member's gRPC channel to a peer it has just heard from.
 *
 * <p>A channel whose connects failed (the peer was down) refuses calls at once until its back-off
 * ends: 1 s after the first failure, growing 1.6 times a failure. Ratis' leader resets it for its
 * followers' channels, but a candidate does not: a survivor whose votes to a dead member failed for
 * a few seconds went on failing for up to the whole back-off after that member was back, and when
 * the survivor held the longer log, no leader was elected until then (ChaosIT's long run: a leader
 * kill's window of 2.75 s; RaftClusterTest, 3.6 s after a six-second outage). A peer that sends this
 * member a request is up, so the channel may try it now ({@link PeerContact} says who sent).
 *
 * <p>Ratis keeps the method that does it ({@code GrpcServerProtocolClient.resetConnectBackoff},
 * which its leader calls) in a package-private class, so it is looked up once by reflection; if a
 * Ratis upgrade removed it, the member says so once and behaves as before (RatisConfigTest fails).
 */
final class ReconnectBackoff implements Consumer<RaftPeerId> {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectBackoff.class);
    static final String CLIENT_CLASS = "org.apache.ratis.grpc.server.GrpcServerProtocolClient";
    private static final MethodHandle RESET = lookup();

    private final Supplier<RaftServer> server;
    /** how many times the channel to each peer was told to stop waiting (a test reads it) */
    private final Map<RaftPeerId, LongAdder> resets = new ConcurrentHashMap<>();

    /** @param server the member's current Ratis server (a member started again gets a new one) */
    ReconnectBackoff(Supplier<RaftServer> server) {
        this.server = server;
    }

    static boolean available() {
        return RESET != null;
    }

    /** This member heard from {@code peer}: its channel to it may connect at once if it waits out a back-off. */
    @Override
    public void accept(RaftPeerId peer) {
        RaftServer s = server.get();
        if (RESET == null || s == null || !(s.getServerRpc() instanceof RaftServerRpcWithProxy<?, ?> rpc)) {
            return;
        }
        try {
            Object channel = rpc.getProxies().getProxy(peer);
            if (RESET.type().parameterType(0).isInstance(channel)) {
                RESET.invoke(channel);
                resets.computeIfAbsent(peer, k -> new LongAdder()).increment();
            }
        } catch (IOException | RuntimeException e) {
            // not a peer of this member's configuration, or the server is closing
        } catch (Throwable e) {
            if (e instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("resetting the back-off of the channel to " + peer, e);
        }
    }

    long resets(RaftPeerId peer) {
        LongAdder n = resets.get(peer);
        return n == null ? 0 : n.sum();
    }

    private static MethodHandle lookup() {
        try {
            Method m = Class.forName(CLIENT_CLASS).getMethod("resetConnectBackoff");
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Ratis' {}.resetConnectBackoff is not there ({}): a restarted peer is reached only when the "
                    + "channel's back-off ends", CLIENT_CLASS, e.toString());
            return null;
        }
    }
}
