package io.shoal.manager.control;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.LogLine;
import io.shoal.api.NodeLogsGrpc;
import io.shoal.api.ServiceLogsRequest;
import io.shoal.api.TaskLogsRequest;
import io.shoal.manager.rpc.ChannelPool;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Merges the log streams of every node that ran a service's tasks into the caller's stream. A
 * node that cannot be reached adds one line saying so instead of failing the whole stream; the
 * node calls end when the caller goes away.
 */
final class LogFanIn {
    private LogFanIn() {}

    static void stream(Map<String, Map<String, String>> byNode, Map<String, String> addrs, ChannelPool channels,
                       ServiceLogsRequest req, ServerCallStreamObserver<LogLine> out) {
        if (byNode.isEmpty()) {
            out.onCompleted();
            return;
        }
        Context.CancellableContext ctx = Context.ROOT.withCancellation();
        out.setOnCancelHandler(() -> ctx.cancel(null));
        AtomicInteger open = new AtomicInteger(byNode.size());
        Runnable done = () -> {
            if (open.decrementAndGet() == 0) {
                synchronized (out) {
                    if (!out.isCancelled()) {
                        out.onCompleted();
                    }
                }
                ctx.cancel(null);
            }
        };
        for (var e : byNode.entrySet()) {
            String addr = addrs.get(e.getKey());
            ctx.run(() -> NodeLogsGrpc.newStub(channels.get(addr)).taskLogs(TaskLogsRequest.newBuilder()
                    .putAllTasks(e.getValue()).setFollow(req.getFollow()).setTail(req.getTail()).build(), new StreamObserver<>() {
                @Override
                public void onNext(LogLine l) {
                    synchronized (out) {
                        if (!out.isCancelled()) {
                            out.onNext(l);
                        }
                    }
                }

                @Override
                public void onError(Throwable t) {
                    onNext(LogLine.newBuilder().setNode(addr).setStream("stderr")
                            .setText("(logs from " + addr + " unavailable: " + Status.fromThrowable(t).getDescription() + ")").build());
                    done.run();
                }

                @Override
                public void onCompleted() {
                    done.run();
                }
            }));
        }
    }
}
