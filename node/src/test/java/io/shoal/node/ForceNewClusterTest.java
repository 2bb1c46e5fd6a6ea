package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.NetworkSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.NodeView;
import io.shoal.api.Placement;
import io.shoal.api.ReplicatedService;
import io.shoal.api.SecretSpec;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.node.InProcessClusterTest.FakeExecutor;
import io.shoal.worker.fs.Trees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code init --force-new-cluster} on real daemons in one JVM (real Ratis, mutual TLS, a fake
 * container executor): refused on a worker, outside a cluster and while the cluster has quorum,
 * changing nothing; then 3 managers lose 2 for good, the survivor starts a new cluster from its
 * data with everything kept and the worker's tasks untouched, writes work again and a new manager
 * joins. The same on the namespaced hosts with real containers: {@code RecoveryIT}.
 */
class ForceNewClusterTest {
    @TempDir
    Path dir;
    private final Map<String, NodeDaemon> daemons = new HashMap<>();
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private final Map<String, FakeExecutor> executors = new HashMap<>();

    private NodeDaemon daemon(String name) throws IOException {
        int port = InProcessClusterTest.freePortPair();
        Path data = dir.resolve(name);
        FakeExecutor executor = new FakeExecutor();
        DaemonOptions o = new DaemonOptions(data, dir.resolve(name + ".sock"), "runc", "127.0.0.1:" + port, List.of(), 1000,
                executor, id -> data.resolve("no-logs"), List.of());
        NodeDaemon d = new NodeDaemon(o);
        d.start();
        daemons.put(name, d);
        executors.put(name, executor);
        channels.put(name, LocalSocket.connect(o.socket()));
        ports.put(name, port);
        return d;
    }

    private String addr(String name) {
        return "127.0.0.1:" + ports.get(name);
    }

    private ControlGrpc.ControlBlockingStub control(String name) {
        return ControlGrpc.newBlockingStub(channels.get(name)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** A manager lost for good: its daemon stopped and its data dir deleted. */
    private void lose(String name) throws IOException {
        channels.remove(name).shutdownNow();
        daemons.remove(name).close();
        Trees.delete(dir.resolve(name));
    }

    @AfterEach
    void stop() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        daemons.values().forEach(d -> {
            try {
                d.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        });
    }

    private static <T> T await(String what, Supplier<T> probe, Predicate<T> ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        T last = null;
        RuntimeException error = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.get();
                error = null;
                if (ok.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                error = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting until " + what + "; last: " + (error != null ? error : last));
    }

    private List<Task> runningTasks(String via, String service) {
        return control(via).listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList().stream()
                .filter(t -> t.getDesiredState() == TaskState.TASK_STATE_RUNNING && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING)
                .toList();
    }

    private static ServiceSpec service(String name, int replicas) {
        ServiceSpec s = InProcessClusterTest.spec(name);
        return s.toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(replicas)).build();
    }

    private static Map<String, String> roles(List<NodeView> nodes) {
        return nodes.stream().map(NodeView::getNode).collect(Collectors.toMap(Node::getId,
                n -> n.getRole() + "/" + n.getStatus().getState()));
    }

    private static void assertRefused(Supplier<InitResponse> call, String says) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.toString());
        String line = e.getStatus().getDescription();
        assertTrue(line.contains(says) && !line.contains("\n"), line);
    }

    @Test
    void survivorStartsANewClusterFromItsData() throws Exception {
        NodeDaemon m1 = daemon("m1");
        InitResponse init = m1.init(InitRequest.newBuilder().setListenAddr(addr("m1")).setAdvertiseAddr(addr("m1")).build());
        for (String m : List.of("m2", "m3")) {
            daemon(m).join(JoinRequest.newBuilder().setToken(init.getManagerToken()).setRemoteAddr(addr("m1"))
                    .setListenAddr(addr(m)).setAdvertiseAddr(addr(m)).build());
        }
        NodeDaemon w1 = daemon("w1");
        w1.join(JoinRequest.newBuilder().setToken(init.getWorkerToken()).setRemoteAddr(addr("m1"))
                .setListenAddr(addr("w1")).setAdvertiseAddr(addr("w1")).build());
        NodeDaemon outsider = daemon("x1");
        await("4 nodes are ready", () -> control("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                nodes -> nodes.size() == 4 && nodes.stream().allMatch(n -> n.getNode().getStatus().getState() == NodeStatus.State.READY));
        // the work runs on the worker only, so that losing managers loses no task
        control("m1").createNetwork(CreateNetworkRequest.newBuilder().setSpec(NetworkSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("backend"))).build());
        control("m1").createSecret(CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("db-password"))
                .setData(ByteString.copyFrom("s3cret", StandardCharsets.UTF_8))).build());
        ServiceSpec web = service("web", 2);
        web = web.toBuilder().setTask(web.getTask().toBuilder().setPlacement(Placement.newBuilder()
                .addConstraints("node.role==worker"))).build();
        control("m1").createService(CreateServiceRequest.newBuilder().setSpec(web).build());
        List<Task> before = await("web runs 2 tasks", () -> runningTasks("m1", "web"), t -> t.size() == 2);
        Map<String, String> rolesBefore = roles(control("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList());

        // bad input: one line each, nothing changed
        assertRefused(w1::forceNewCluster, "worker");
        assertRefused(outsider::forceNewCluster, "not part of a cluster");
        assertRefused(m1::forceNewCluster, "quorum");
        assertEquals(3, m1.member().manager().consensus().members().size());
        assertEquals(rolesBefore, roles(control("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()));

        // two managers lost for good: no quorum, no leader
        String m2Id = daemons.get("m2").member().state().nodeId();
        lose("m2");
        lose("m3");
        await("the survivor sees no leader", () -> m1.member().manager().consensus().leaderId(), l -> l.isEmpty());

        InitResponse recovered = m1.forceNewCluster();
        assertEquals(init.getClusterId(), recovered.getClusterId());
        assertEquals(init.getNodeId(), recovered.getNodeId());
        assertEquals(init.getWorkerToken(), recovered.getWorkerToken());
        assertEquals(1, m1.member().manager().consensus().members().size());

        // everything kept; the worker's tasks are the same ones, never restarted
        assertEquals(Set.of("web"), control("m1").listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
                .map(s -> s.getSpec().getAnnotations().getName()).collect(Collectors.toSet()));
        assertTrue(control("m1").listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList().stream()
                .anyMatch(n -> n.getSpec().getAnnotations().getName().equals("backend")));
        assertEquals(1, control("m1").listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsCount());
        Set<String> idsBefore = before.stream().map(Task::getId).collect(Collectors.toSet());
        assertEquals(idsBefore, runningTasks("m1", "web").stream().map(Task::getId).collect(Collectors.toSet()));
        assertEquals(idsBefore, Set.copyOf(executors.get("w1").existingTaskIds()));
        Node lostManager = control("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                .map(NodeView::getNode).filter(n -> n.getId().equals(m2Id)).findFirst().orElseThrow();
        assertEquals(NodeRole.NODE_ROLE_WORKER, lostManager.getRole());
        assertEquals(NodeStatus.State.DOWN, lostManager.getStatus().getState());
        await("the worker is Ready with the new cluster", () -> control("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                nodes -> nodes.stream().anyMatch(n -> n.getNode().getId().equals(w1.member().state().nodeId())
                        && n.getNode().getStatus().getState() == NodeStatus.State.READY));

        // writes again, a new manager joins, and writes through it
        control("m1").createService(CreateServiceRequest.newBuilder().setSpec(service("after", 1)).build());
        await("after runs", () -> runningTasks("m1", "after"), t -> t.size() == 1);
        daemon("m4").join(JoinRequest.newBuilder().setToken(recovered.getManagerToken()).setRemoteAddr(addr("m1"))
                .setListenAddr(addr("m4")).setAdvertiseAddr(addr("m4")).build());
        await("m4 is a voter", () -> m1.member().manager().consensus().members().size(), n -> n == 2);
        control("m4").createService(CreateServiceRequest.newBuilder().setSpec(service("through-m4", 1)).build());
        await("through-m4 runs", () -> runningTasks("m4", "through-m4"), t -> t.size() == 1);
        assertEquals(idsBefore, runningTasks("m4", "web").stream().map(Task::getId).collect(Collectors.toSet()));

        // run again on the recovered manager: it is the cluster's leader now, so refused
        assertRefused(m1::forceNewCluster, "quorum");
    }
}
