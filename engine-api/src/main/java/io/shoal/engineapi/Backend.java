package io.shoal.engineapi;

import io.grpc.Channel;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.LocalInfo;
import io.shoal.api.LocalImagesGrpc;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.LocalNodeGrpc;
import io.shoal.api.Network;
import io.shoal.api.NodeRole;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Engine API's way into Shoal: the node's own gRPC services on its local socket (the Control
 * API, forwarded to the leader as for the {@code shoal} CLI, the node's local service for what
 * the node itself is, and its images' service for registries). Knows what kind of node answers, so that swarm endpoints on a worker or on
 * a node in no cluster get dockerd's answers.
 */
public final class Backend {
    static final String NOT_IN_SWARM = "This node is not a swarm manager. Use \"docker swarm init\" or "
            + "\"docker swarm join\" to connect this node to swarm and try again.";
    static final String WORKER = "This node is not a swarm manager. Worker nodes can't be used to view or modify "
            + "cluster state. Please run this command on a manager node or promote the current node to a manager.";
    /** dockerd's words for a locked manager (autolock). */
    static final String LOCKED = "Swarm is encrypted and needs to be unlocked before it can be used. "
            + "Please use \"docker swarm unlock\" to unlock it.";
    /** How long what the node is (in a cluster, its role) is taken as known: one ask per second at most. */
    private static final long LOCAL_INFO_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long DEADLINE_SECONDS = 60;

    private final Channel channel;
    private final LongSupplier nanoClock;
    private final String version;
    private volatile LocalInfo local;
    private volatile long localAt;

    /**
     * @param channel the node's local socket
     * @param version Shoal's version, as {@code /version} and {@code /info} report the engine's
     */
    public Backend(Channel channel, String version, LongSupplier nanoClock) {
        this.channel = channel;
        this.version = version;
        this.nanoClock = nanoClock;
    }

    public String version() {
        return version;
    }

    public Channel channel() {
        return channel;
    }

    /** The Control API, with a deadline for one call. */
    public ControlGrpc.ControlBlockingStub control() {
        return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The Control API without a deadline, for streams that follow. */
    public ControlGrpc.ControlBlockingStub streaming() {
        return ControlGrpc.newBlockingStub(channel);
    }

    public LocalNodeGrpc.LocalNodeBlockingStub node() {
        return LocalNodeGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** The node's images and its registry client, for what a registry holds for a reference. */
    /** The cluster's PKI and keys (unlock key), with a deadline for one call. */
    public ClusterSecurityGrpc.ClusterSecurityBlockingStub security() {
        return ClusterSecurityGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    public LocalImagesGrpc.LocalImagesBlockingStub images() {
        return LocalImagesGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** What this node is (asked at most once a second). */
    public LocalInfo local() {
        long now = nanoClock.getAsLong();
        LocalInfo l = local;
        if (l == null || now - localAt > LOCAL_INFO_NANOS) {
            l = node().info(LocalInfoRequest.getDefaultInstance());
            local = l;
            localAt = now;
        }
        return l;
    }

    /** Forgets what the node is (after init, join or leave through the API). */
    public void forgetLocal() {
        local = null;
    }

    /** Refuses, as dockerd does, a swarm call on a node that is not a manager. */
    public void requireManager() {
        LocalInfo l = local();
        if (!l.getInCluster()) {
            throw ApiError.unavailable(NOT_IN_SWARM);
        }
        if (l.getLocked()) {
            throw ApiError.unavailable(LOCKED);
        }
        if (l.getRole() != NodeRole.NODE_ROLE_MANAGER) {
            throw ApiError.unavailable(WORKER);
        }
    }

    /** The ingress network's id (null when there is none): docker shows it only in endpoints. */
    public String ingressId() {
        for (Network n : control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()) {
            if (n.getSpec().getIngress()) {
                return n.getId();
            }
        }
        return null;
    }
}
