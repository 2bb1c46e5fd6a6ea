package io.shoal.chaos.run;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.chaos.history.Outcome;
import io.shoal.node.Tls;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Control API of every manager, over its unix socket (so a partition between hosts never cuts
 * a client from its manager, only the managers from each other), and the mapping of gRPC errors to
 * a recorded outcome.
 */
final class Managers implements AutoCloseable {
    private final EpollEventLoopGroup loop = new EpollEventLoopGroup(2);
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private final ChaosLab lab;
    private final String subnet;

    Managers(ChaosLab lab, String subnet) {
        this.lab = lab;
        this.subnet = subnet;
        for (String h : lab.managerHosts()) {
            channels.put(h, NettyChannelBuilder.forAddress(new DomainSocketAddress(lab.socket(h).toString()))
                    .channelType(EpollDomainSocketChannel.class).eventLoopGroup(loop).usePlaintext()
                    // as the daemon's own channels: a long run's thousands of services outgrow gRPC's 4 MB default
                    .maxInboundMessageSize(Tls.MAX_MESSAGE_BYTES).build());
        }
    }

    /**
     * A client's stub for HOST's manager. A channel whose connects failed while that manager was down
     * would refuse calls at once until gRPC's reconnect back-off ends (1 s, growing 1.6 times a
     * failure): seconds after the manager is back, which the availability windows would count against
     * the cluster. A client tries to connect at every call instead, as the CLI (a new process a
     * command) does.
     */
    ControlGrpc.ControlBlockingStub control(String host, long deadlineMillis) {
        ManagedChannel channel = channels.get(host);
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return ControlGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    /** The host of the leader as MANAGER sees it, if it knows one. */
    Optional<String> leader(String via) {
        try {
            ClusterInfo info = control(via, 2000).getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
            String addr = info.getLeaderAddr();
            for (String h : lab.managerHosts()) {
                if (addr.startsWith(lab.ip(subnet, h) + ":")) {
                    return Optional.of(h);
                }
            }
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * True when every manager names the same leader, within 2 s each, and that leader reaches every
     * manager. The leader's own view is not enough after a partition heals: it counts a manager
     * reachable if it heard from it in the last 3 s, while the manager that was cut off may still
     * take itself for the leader, or not yet hear the others (TCP sends again what the partition
     * dropped only when its retransmission back-off ends, up to a second or more later).
     */
    boolean whole() {
        String leader = null;
        for (String h : lab.managerHosts()) {
            ClusterInfo info;
            try {
                info = control(h, 2000).getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                return false;
            }
            if (info.getLeaderAddr().isEmpty() || leader != null && !leader.equals(info.getLeaderAddr())
                    || info.getManagersReachable() != info.getManagers()) {
                return false;
            }
            leader = info.getLeaderAddr();
        }
        return true;
    }

    /**
     * An error as one line of the history: the status code, its description and the cause's class
     * and message, without the cause's stack trace (a transport error's message can carry one).
     */
    static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        StringBuilder b = new StringBuilder(s.getCode().name());
        if (s.getDescription() != null) {
            b.append(": ").append(s.getDescription());
        }
        if (s.getCause() != null) {
            String m = String.valueOf(s.getCause().getMessage());
            int nl = m.indexOf('\n');
            b.append(" (").append(s.getCause().getClass().getSimpleName()).append(": ")
                    .append(nl < 0 ? m : m.substring(0, nl)).append(')');
        }
        return b.toString().replace('\t', ' ');
    }

    /**
     * What an error says about a write: refusals with a definite answer (the write was decided and
     * not applied) are FAILED; a timeout, an unreachable manager or a lost leader may or may not have
     * let the write through, so they are INDETERMINATE.
     */
    static Outcome outcome(StatusRuntimeException e) {
        Status.Code c = e.getStatus().getCode();
        return switch (c) {
            case FAILED_PRECONDITION, ALREADY_EXISTS, INVALID_ARGUMENT, NOT_FOUND -> Outcome.FAILED;
            default -> Outcome.INDETERMINATE;
        };
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
