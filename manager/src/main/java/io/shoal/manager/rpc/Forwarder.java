package io.shoal.manager.rpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Serves a call locally or relays it, unchanged, to another daemon: how a worker's daemon hands
 * cluster commands to a manager and a follower hands them to the leader. Works for unary and
 * streaming calls alike. The relayed call names the original caller in
 * {@link AuthInterceptor#ON_BEHALF_OF} and counts hops so a confused routing table cannot loop.
 *
 * <p>Unary calls relayed now are tracked, so that when the route moves (a new leader) the ones
 * still waiting on the old target can be given up with {@link #abandon} instead of waiting out
 * their callers' deadlines on a daemon that may never answer.
 *
 * <p>Install it inside the {@link AuthInterceptor} (the caller must be known first).
 */
public final class Forwarder implements ServerInterceptor {
    static final Metadata.Key<String> HOPS = Metadata.Key.of("shoal-hops", Metadata.ASCII_STRING_MARSHALLER);
    private static final int MAX_HOPS = 3;

    /** Where calls go now. */
    @FunctionalInterface
    public interface Route {
        /**
         * @param hops how many daemons relayed this call already (0: it comes from its caller)
         * @return null to serve the call here, or the channel to relay it on
         * @throws StatusRuntimeException (e.g. UNAVAILABLE) when there is nowhere to send it
         */
        Channel target(int hops);
    }

    private final Route route;
    private final Set<Relay> unaryRelays = ConcurrentHashMap.newKeySet();

    /** A unary call relayed now: where it went, and how to give it up. */
    private static final class Relay {
        final Channel target;
        final Consumer<String> abandon;

        Relay(Channel target, Consumer<String> abandon) {
            this.target = target;
            this.abandon = abandon;
        }
    }

    public Forwarder(Route route) {
        this.route = route;
    }

    /**
     * Gives up the unary calls relayed to a channel that {@code stale} names: their callers get
     * UNAVAILABLE with {@code why} at once. Such a call may still take effect, exactly as after a
     * deadline, so {@code why} should tell the caller to check and retry. Streaming calls (a log
     * follow, a session) are left alone.
     *
     * @return how many calls were given up
     */
    public int abandon(Predicate<Channel> stale, String why) {
        int n = 0;
        for (Relay r : unaryRelays) {
            if (stale.test(r.target) && unaryRelays.remove(r)) {
                r.abandon.accept(why);
                n++;
            }
        }
        return n;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        int hops = parseHops(headers.get(HOPS));
        Channel target;
        try {
            target = route.target(hops);
        } catch (StatusRuntimeException e) {
            call.close(e.getStatus(), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        if (target == null) {
            return next.startCall(call, headers);
        }
        if (hops >= MAX_HOPS) {
            call.close(Status.UNAVAILABLE.withDescription("no manager could find the Raft leader (forwarded "
                    + hops + " times); try again"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return relay(call, target, hops + 1);
    }

    /**
     * This forwarder, except that calls of {@code methods} are always served here: what any daemon
     * can answer from its own state (a manager's events from its own store).
     */
    public ServerInterceptor servingHere(MethodDescriptor<?, ?>... methods) {
        Set<String> here = Arrays.stream(methods).map(MethodDescriptor::getFullMethodName).collect(Collectors.toSet());
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return here.contains(call.getMethodDescriptor().getFullMethodName())
                        ? next.startCall(call, headers) : Forwarder.this.interceptCall(call, headers, next);
            }
        };
    }

    /**
     * {@code target} for calls this daemon makes itself for {@code caller} (e.g. the local user's
     * {@code shoal info}): they reach the next daemon exactly as a call relayed from here would,
     * on behalf of that caller with one hop counted, so the next daemon relays them only to a
     * leader it knows and never hands them on to yet another manager.
     */
    public static Channel onBehalf(Channel target, Caller caller) {
        Metadata md = new Metadata();
        md.put(AuthInterceptor.ON_BEHALF_OF, AuthInterceptor.onBehalfValue(caller));
        md.put(HOPS, "1");
        return ClientInterceptors.intercept(target, MetadataUtils.newAttachHeadersInterceptor(md));
    }

    private static int parseHops(String v) {
        try {
            return v == null ? 0 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return MAX_HOPS;
        }
    }

    private <Q, R> ServerCall.Listener<Q> relay(ServerCall<Q, R> call, Channel target, int hops) {
        CallOptions options = CallOptions.DEFAULT;
        if (Context.current().getDeadline() != null) {
            options = options.withDeadline(Context.current().getDeadline());
        }
        ClientCall<Q, R> out = target.newCall(call.getMethodDescriptor(), options);
        // the status the caller gets if this call is given up (set once, before the cancel)
        Status[] abandonedWith = new Status[1];
        Relay tracked = call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY ? null
                : new Relay(target, why -> {
                    synchronized (call) {
                        abandonedWith[0] = Status.UNAVAILABLE.withDescription(why);
                    }
                    out.cancel(why, null);
                });
        if (tracked != null) {
            unaryRelays.add(tracked); // before the call starts: its reply removes it
        }
        Metadata md = new Metadata();
        md.put(AuthInterceptor.ON_BEHALF_OF, AuthInterceptor.onBehalfValue(Caller.current()));
        md.put(HOPS, Integer.toString(hops));
        out.start(new ClientCall.Listener<>() {
            private boolean headersSent;

            @Override
            public void onHeaders(Metadata h) {
                synchronized (call) {
                    call.sendHeaders(new Metadata());
                    headersSent = true;
                }
            }

            @Override
            public void onMessage(R message) {
                synchronized (call) {
                    if (!headersSent) {
                        call.sendHeaders(new Metadata());
                        headersSent = true;
                    }
                    call.sendMessage(message);
                }
                out.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                if (tracked != null) {
                    unaryRelays.remove(tracked);
                }
                synchronized (call) {
                    if (abandonedWith[0] != null && !status.isOk()) { // a reply that beat the cancel stands
                        call.close(abandonedWith[0], new Metadata());
                    } else {
                        call.close(status, trailers == null ? new Metadata() : trailers);
                    }
                }
            }
        }, md);
        out.request(1);
        call.request(1);
        return new ServerCall.Listener<>() {
            @Override
            public void onMessage(Q message) {
                out.sendMessage(message);
                call.request(1);
            }

            @Override
            public void onHalfClose() {
                out.halfClose();
            }

            @Override
            public void onCancel() {
                if (tracked != null) {
                    unaryRelays.remove(tracked);
                }
                out.cancel("caller cancelled", null);
            }
        };
    }
}
