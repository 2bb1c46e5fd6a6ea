package io.shoal.manager.control;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.LogLine;
import io.shoal.api.ServiceLogsRequest;
import io.shoal.api.Task;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.rpc.ChannelPool;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Tasks through the Control API: the task list (with history) and the containers' output, gathered from every node. */
public final class TasksApi {
    private final ChannelPool channels;
    private final LinearizableReads reads;

    public TasksApi(ClusterStore store, Consensus consensus, ChannelPool channels) {
        this.channels = channels;
        this.reads = new LinearizableReads(store, consensus);
    }

    private <T> T read(Function<ReadTx, T> fn) {
        return reads.read(fn);
    }

    public ListTasksResponse listTasks(ListTasksRequest req) {
        return read(tx -> {
            String serviceId = req.getService().isEmpty() ? null : ServiceLookup.resolve(tx, req.getService()).getId();
            String nodeId = req.getNode().isEmpty() ? null : NodeLookup.resolve(tx, req.getNode()).getId();
            var b = ListTasksResponse.newBuilder();
            tx.tasks().stream()
                    .filter(t -> serviceId == null || t.getServiceId().equals(serviceId))
                    .filter(t -> nodeId == null || t.getNodeId().equals(nodeId))
                    .forEach(t -> b.addTasks(Redaction.task(t)));
            tx.nodes().forEach(n -> b.putNodeHostnames(n.getId(), n.getDescription().getHostname()));
            tx.services().forEach(s -> b.putServiceNames(s.getId(), s.getSpec().getAnnotations().getName()));
            return b.build();
        });
    }

    public void serviceLogs(ServiceLogsRequest req, StreamObserver<LogLine> obs) {
        Map<String, Map<String, String>> byNode;
        Map<String, String> addrs = new HashMap<>();
        try {
            byNode = read(tx -> {
                List<Task> tasks = tx.task(req.getTarget()).map(List::of)
                        .orElseGet(() -> tx.tasksOfService(ServiceLookup.resolve(tx, req.getTarget()).getId()));
                Map<String, Map<String, String>> m = new TreeMap<>();
                for (Task t : tasks) {
                    var node = tx.node(t.getNodeId());
                    if (node.isEmpty()) {
                        continue;
                    }
                    String svc = tx.service(t.getServiceId()).map(x -> x.getSpec().getAnnotations().getName()).orElse(t.getServiceId());
                    // service.slot, or service.NODEID for a global service's task: as service ps names it
                    String name = t.getAnnotations().getName().isEmpty() ? svc + "." + t.getSlot() : t.getAnnotations().getName();
                    m.computeIfAbsent(t.getNodeId(), k -> new TreeMap<>()).put(t.getId(), name);
                    addrs.put(t.getNodeId(), node.get().getAdvertiseAddr());
                }
                return m;
            });
        } catch (RuntimeException e) {
            obs.onError(Calls.toStatus(e).asRuntimeException());
            return;
        }
        LogFanIn.stream(byNode, addrs, channels, req, (ServerCallStreamObserver<LogLine>) obs);
    }
}
