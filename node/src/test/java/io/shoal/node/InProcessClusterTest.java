package io.shoal.node;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetNodeRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.GlobalService;
import io.shoal.api.IPAMConfig;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.LocalInfo;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.NetworkSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.NodeView;
import io.shoal.api.Placement;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.ReplicatedJob;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Executor;
import io.shoal.worker.exec.ExitStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole cluster in one JVM: 3 managers and 3 workers (driven through the managers' sockets: a
 * worker's refuses the cluster API), each a real {@link NodeDaemon} (real Ratis,
 * mutual TLS, dispatcher sessions, orchestrators) on 127.0.0.1 ports, with a fake container
 * executor. Covers what needs several managers but no kernel: scaling, global services, jobs, and
 * a leader failover in the middle of a deployment.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InProcessClusterTest {
    @TempDir
    static Path dir;
    static final List<NodeDaemon> daemons = new ArrayList<>();
    static final List<Path> sockets = new ArrayList<>();
    static final List<ManagedChannel> channels = new ArrayList<>();
    static final Map<String, Integer> ports = new HashMap<>();

    /** Containers that start at once and run until stopped; a command of "complete" exits 0 right away. */
    static final class FakeExecutor implements Executor {
        final Map<String, Fake> containers = new ConcurrentHashMap<>();

        @Override
        public Controller controller(Task task) {
            return containers.computeIfAbsent(task.getId(), id -> new Fake(task));
        }

        @Override
        public List<String> existingTaskIds() {
            return containers.values().stream().filter(f -> f.started).map(f -> f.id).toList();
        }
    }

    static final class Fake implements Controller {
        final String id;
        final boolean completes;
        volatile boolean started;
        volatile ExitStatus exit;

        Fake(Task t) {
            this.id = t.getId();
            ContainerSpec c = t.getSpec().getContainer();
            this.completes = !c.getCommandList().isEmpty() && c.getCommand(0).equals("complete");
        }

        @Override public void prepare() { }
        @Override public void start() {
            started = true;
            if (completes) {
                exit = new ExitStatus(0);
            }
        }
        @Override public Optional<ExitStatus> exitStatus() { return Optional.ofNullable(exit); }
        @Override public Optional<ExitStatus> waitExit(Duration t) throws InterruptedException {
            if (exit == null) {
                Thread.sleep(Math.min(t.toMillis(), 50));
            }
            return Optional.ofNullable(exit);
        }
        @Override public ExitStatus shutdown(String signal, Duration grace) {
            exit = exit == null ? new ExitStatus(143) : exit;
            return exit;
        }
        @Override public void remove() { started = false; }
        @Override public boolean exists() { return started; }
    }

    /** A port whose successor is free too (the daemon's Raft port is the cluster port + 1). */
    static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (p < 65000) {
                try (ServerSocket s2 = new ServerSocket(p + 1)) {
                    return p;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no free pair of ports");
    }

    static NodeDaemon daemon(String name) throws IOException {
        int port = freePortPair();
        Path data = dir.resolve(name);
        Path socket = dir.resolve(name + ".sock");
        DaemonOptions o = new DaemonOptions(data, socket, "runc", "127.0.0.1:" + port, List.of(), 1000, new FakeExecutor(),
                id -> data.resolve("no-logs"), List.of());
        registries.put(name, o.metrics());
        NodeDaemon d = new NodeDaemon(o);
        d.start();
        daemons.add(d);
        sockets.add(socket);
        channels.add(LocalSocket.connect(socket));
        ports.put(name, port);
        return d;
    }

    /** Each daemon's meters (what `--metrics-addr` would serve). */
    static final Map<String, MeterRegistry> registries = new ConcurrentHashMap<>();

    static double meter(String daemon, String name) {
        var r = registries.get(daemon);
        var c = r.find(name).functionCounter();
        if (c != null) {
            return c.count();
        }
        var g = r.find(name).gauge();
        if (g == null) {
            throw new AssertionError("no meter " + name + " on " + daemon);
        }
        return g.value();
    }

    static ControlGrpc.ControlBlockingStub control(int i) {
        return ControlGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static <T> T await(String what, Duration timeout, Supplier<T> probe, Predicate<T> ok) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
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

    static String addr(String name) {
        return "127.0.0.1:" + ports.get(name);
    }

    @BeforeAll
    static void cluster() throws Exception {
        NodeDaemon m1 = daemon("m1");
        InitResponse init = m1.init(InitRequest.newBuilder().setListenAddr(addr("m1")).setAdvertiseAddr(addr("m1")).build());
        for (String m : List.of("m2", "m3")) {
            daemon(m).join(JoinRequest.newBuilder().setToken(init.getManagerToken()).setRemoteAddr(addr("m1"))
                    .setListenAddr(addr(m)).setAdvertiseAddr(addr(m)).build());
        }
        for (String w : List.of("w1", "w2", "w3")) {
            daemon(w).join(JoinRequest.newBuilder().setToken(init.getWorkerToken()).setRemoteAddr(addr("m1"))
                    .setListenAddr(addr(w)).setAdvertiseAddr(addr(w)).build());
        }
        await("6 nodes are ready", Duration.ofSeconds(60), () -> control(0).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                nodes -> nodes.size() == 6 && nodes.stream().allMatch(n -> n.getNode().getStatus().getState() == NodeStatus.State.READY));
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (NodeDaemon d : daemons) {
            try {
                d.close();
            } catch (RuntimeException ignored) {
                // best effort: some were closed by the test already
            }
        }
    }

    static ServiceSpec spec(String name) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("fake/image:1")
                        .setStopGracePeriodMs(100).setHasStopGracePeriod(true))).build();
    }

    static List<Task> tasks(int via, String service) {
        return control(via).listTasks(ListTasksRequest.newBuilder().setService(service).build()).getTasksList();
    }

    static List<Task> running(List<Task> tasks) {
        return tasks.stream().filter(t -> t.getDesiredState() == TaskState.TASK_STATE_RUNNING
                && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).toList();
    }

    /** No slot (replicated) or node (global) has two tasks that are meant to run and do. */
    static boolean noDuplicates(List<Task> tasks) {
        Map<String, Long> per = running(tasks).stream().collect(Collectors.groupingBy(
                t -> t.getSlot() > 0 ? "slot " + t.getSlot() : "node " + t.getNodeId(), Collectors.counting()));
        return per.values().stream().allMatch(n -> n == 1);
    }

    /** A task told to stop that still runs. */
    static boolean stale(List<Task> tasks) {
        return tasks.stream().anyMatch(t -> t.getDesiredState() == TaskState.TASK_STATE_SHUTDOWN
                && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING);
    }

    @Test
    @Order(0)
    void infoOnEveryNodeNamesTheSameLeaderAndCluster() throws Exception {
        // the leader answers from its own store, a follower asks the leader; a worker asks nobody
        // (its identity may not read the cluster) and names the managers to use instead
        List<NodeDaemon> managers = daemons.subList(0, 3);
        List<LocalInfo> infos = await("every manager's info reaches the cluster", Duration.ofSeconds(30),
                () -> managers.stream().map(NodeDaemon::info).toList(),
                all -> all.stream().allMatch(i -> i.getClusterReachable() && i.getManagersReachable() == 3));
        String leader = infos.get(0).getLeaderNodeId();
        assertTrue(!leader.isEmpty(), infos.get(0).toString());
        for (LocalInfo i : infos) {
            assertEquals(NodeRole.NODE_ROLE_MANAGER, i.getRole());
            assertEquals(leader, i.getLeaderNodeId(), i.toString());
            assertEquals(infos.get(0).getClusterId(), i.getClusterId());
            assertEquals(3, i.getManagers());
            assertEquals(6, i.getNodes());
            assertTrue(i.getRaftIndex() > 0, i.toString());
        }
        assertTrue(infos.stream().anyMatch(i -> i.getNodeId().equals(leader)), "the leader is one of the managers");
        Set<String> managerAddrs = Set.of(addr("m1"), addr("m2"), addr("m3"));
        for (NodeDaemon w : daemons.subList(3, 6)) {
            LocalInfo i = await("a worker knows every manager", Duration.ofSeconds(30), w::info,
                    x -> Set.copyOf(x.getManagerAddrsList()).equals(managerAddrs));
            assertEquals(NodeRole.NODE_ROLE_WORKER, i.getRole());
            assertEquals(infos.get(0).getClusterId(), i.getClusterId());
            assertTrue(!i.getClusterReachable() && i.getLeaderNodeId().isEmpty(), "a worker does not ask: " + i);
        }
    }

    @Test
    @Order(1)
    void scaleUpAndDown() throws Exception {
        control(1).createService(CreateServiceRequest.newBuilder().setSpec(spec("web").toBuilder()
                .setReplicated(ReplicatedService.newBuilder().setReplicas(6))).build());
        List<Task> up = await("6 running", Duration.ofSeconds(30), () -> tasks(1, "web"), t -> running(t).size() == 6);
        assertEquals(6, running(up).stream().map(Task::getNodeId).distinct().count(), "one per node");
        Service s = control(0).getService(GetServiceRequest.newBuilder().setService("web").build());
        control(2).updateService(UpdateServiceRequest.newBuilder().setService("web").setVersion(s.getMeta().getVersion())
                .setSpec(s.getSpec().toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(2))).build());
        await("2 running and nothing stale", Duration.ofSeconds(30), () -> tasks(2, "web"),
                t -> running(t).size() == 2 && !stale(t) && noDuplicates(t));
    }

    @Test
    @Order(2)
    void everyManagersMetersShowWhatItAppliedAndServes() throws Exception {
        List<String> managers = List.of("m1", "m2", "m3");
        // the 6 placements of scaleUpAndDown, counted by each manager as it applied them
        await("every manager counted the same placements", Duration.ofSeconds(30),
                () -> managers.stream().map(m -> meter(m, "shoal.tasks.placed")).toList(),
                v -> v.get(0) >= 6 && v.stream().distinct().count() == 1);
        assertEquals(1.0, managers.stream().mapToDouble(m -> meter(m, "shoal.raft.leader")).sum(), "one leader");
        assertEquals(6.0, managers.stream().mapToDouble(m -> meter(m, "shoal.dispatcher.sessions")).sum(), "a session per node");
        assertTrue(managers.stream().mapToDouble(m -> meter(m, "shoal.dispatcher.heartbeats")).sum() > 0);
        String leader = managers.stream().filter(m -> meter(m, "shoal.raft.leader") == 1.0).findFirst().orElseThrow();
        assertTrue(registries.get(leader).find("shoal.loop.writes").tag("loop", "scheduler").functionCounter().count() >= 6,
                "the leader's scheduler wrote the placements");
        assertEquals(2.0, registries.get(leader).find("shoal.tasks").tag("state", "running").gauge().value(), "web runs 2 tasks");
        assertEquals(registries.get("w1").find("shoal.tasks.placed").functionCounter(), null, "a worker has no manager meters");
    }

    @Test
    @Order(2)
    void latenciesRatisAndGrpcCallsAndWorkersAreMetered() throws Exception {
        List<String> managers = List.of("m1", "m2", "m3");
        for (String m : managers) {
            MeterRegistry r = registries.get(m);
            assertEquals(meter(m, "shoal.tasks.placed"), (double) r.find("shoal.scheduling.delay").timer().count(),
                    "every placement " + m + " applied has its scheduling delay");
            assertTrue(r.find("ratis.log_worker.flushCount").gauge().value() > 0, m + " flushed its Raft log");
            assertTrue(r.find("ratis.log_worker.flushCount").gauge().getId().getTag("member").startsWith(daemons.get(managers.indexOf(m))
                    .info().getNodeId() + "@"), "each manager reports its own member");
        }
        String leader = managers.stream().filter(m -> meter(m, "shoal.raft.leader") == 1.0).findFirst().orElseThrow();
        assertTrue(registries.get(leader).find("shoal.raft.commit").timer().count() > 0, "the leader's writes were timed");
        assertTrue(registries.get(leader).find("ratis.log_appender.follower_match_index").gauges().size() == 2,
                "the leader follows two followers, one peer tag each");
        // scaleUpAndDown created the service through m2's socket and updated it through m3's
        assertTrue(registries.get("m2").find("grpc.server.processing.duration").tag("method", "CreateService").tag("statusCode", "OK")
                .timer().count() >= 1, "the call was counted with its status");
        await("the workers count their running containers", Duration.ofSeconds(30),
                () -> List.of("w1", "w2", "w3", "m1", "m2", "m3").stream().mapToDouble(n -> registries.get(n)
                        .find("shoal.worker.containers").tag("state", "running").gauge().value()).sum(), v -> v == 2.0);
        assertTrue(List.of("w1", "w2", "w3", "m1", "m2", "m3").stream()
                .mapToLong(n -> registries.get(n).find("shoal.worker.task.start").timer().count()).sum() >= 6, "every start was timed");
    }

    @Test
    @Order(3)
    void globalRunsEverywhereAndJobsComplete() throws Exception {
        control(0).createService(CreateServiceRequest.newBuilder().setSpec(spec("agent").toBuilder()
                .setGlobal(GlobalService.getDefaultInstance())).build());
        await("a task on each of the 6 nodes", Duration.ofSeconds(30), () -> tasks(0, "agent"),
                t -> running(t).size() == 6 && running(t).stream().map(Task::getNodeId).distinct().count() == 6);
        ServiceSpec job = spec("batch").toBuilder()
                .setReplicatedJob(ReplicatedJob.newBuilder().setTotalCompletions(8).setMaxConcurrent(3)).build();
        job = job.toBuilder().setTask(job.getTask().toBuilder()
                .setContainer(job.getTask().getContainer().toBuilder().addCommand("complete"))).build();
        control(1).createService(CreateServiceRequest.newBuilder().setSpec(job).build());
        List<Task> done = await("8 completions", Duration.ofSeconds(60), () -> tasks(2, "batch"),
                t -> t.stream().filter(x -> x.getStatus().getState() == TaskState.TASK_STATE_COMPLETE)
                        .map(Task::getSlot).distinct().count() == 8);
        assertEquals(8, done.size(), "no slot ran twice");
    }

    @Test
    @Order(4)
    void aWorkerServedByAFollowerGetsItsTasksAndStaysReady() throws Exception {
        List<NodeView> nodes = control(0).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        String leaderId = nodes.stream().filter(n -> n.getManagerReachability() == NodeView.Reachability.LEADER)
                .map(n -> n.getNode().getId()).findFirst().orElseThrow();
        String leaderAddr = nodes.stream().filter(n -> n.getNode().getId().equals(leaderId))
                .map(n -> n.getNode().getAdvertiseAddr()).findFirst().orElseThrow();
        // a worker whose session is with a follower (sessions spread at random: move one there if none is)
        NodeDaemon worker = daemons.get(3);
        await("w1's session is with a follower", Duration.ofSeconds(30), () -> {
            var agent = worker.member().agent();
            String with = agent.preferredManager();
            if (with == null || with.equals(leaderAddr)) {
                agent.reconnect();
                return null;
            }
            return with;
        }, with -> with != null && !with.equals(leaderAddr));
        String nodeId = worker.info().getNodeId();
        Node before = control(0).getNode(GetNodeRequest.newBuilder().setNode(nodeId).build()).getNode();
        assertEquals(NodeStatus.State.READY, before.getStatus().getState());

        ServiceSpec pinned = spec("pinned").toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(2)).build();
        pinned = pinned.toBuilder().setTask(pinned.getTask().toBuilder().setPlacement(Placement.newBuilder()
                .addConstraints("node.id==" + nodeId))).build();
        control(1).createService(CreateServiceRequest.newBuilder().setSpec(pinned).build());
        // the follower streams the tasks from its own store; the worker's RUNNING reaches the leader's store
        List<Task> up = await("2 running on the follower's worker", Duration.ofSeconds(30), () -> tasks(2, "pinned"),
                t -> running(t).size() == 2);
        assertTrue(up.stream().allMatch(t -> t.getNodeId().equals(nodeId)));

        // heartbeats go to the follower only; the leader hears of them and never marks the node Down
        Thread.sleep(3 * 2_000);
        Node after = control(0).getNode(GetNodeRequest.newBuilder().setNode(nodeId).build()).getNode();
        assertEquals(NodeStatus.State.READY, after.getStatus().getState());
        assertEquals(before.getStatus(), after.getStatus(), "no Down and Ready again in between");
        assertTrue(!worker.member().agent().preferredManager().equals(leaderAddr), "still served by the follower");
        control(1).removeService(RemoveServiceRequest.newBuilder().setService("pinned").build());
    }

    @Test
    @Order(5)
    void aLeaderFailoverDuringADeploymentConvergesWithoutDuplicates() throws Exception {
        List<NodeView> nodes = control(0).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        int leader = -1;
        for (int m = 0; m < 3; m++) {
            String id = daemons.get(m).info().getNodeId();
            if (nodes.stream().anyMatch(n -> n.getNode().getId().equals(id) && n.getManagerReachability() == NodeView.Reachability.LEADER)) {
                leader = m;
            }
        }
        assertTrue(leader >= 0, "a leader among the managers: " + nodes);
        String gone = daemons.get(leader).info().getNodeId();
        int via = leader == 0 ? 1 : 0;
        // w1 is served by a follower (test 3): it keeps that session through the leader's loss
        NodeDaemon w1 = daemons.get(3);
        String w1Manager = w1.member().agent().preferredManager();
        String w1Id = w1.info().getNodeId();
        String leaderAddr = daemons.get(leader).info().getAdvertiseAddr();
        control(via).createService(CreateServiceRequest.newBuilder().setSpec(spec("deploy").toBuilder()
                .setReplicated(ReplicatedService.newBuilder().setReplicas(10))).build());
        daemons.get(leader).close(); // in the middle of placing and starting the 10 tasks
        await("10 running, none twice, none on the stopped manager's node", Duration.ofSeconds(90), () -> tasks(via, "deploy"),
                x -> running(x).size() == 10 && noDuplicates(x) && running(x).stream().noneMatch(r -> r.getNodeId().equals(gone)));
        if (!w1Manager.equals(leaderAddr)) {
            assertEquals(w1Manager, w1.member().agent().preferredManager(), "w1's follower kept its session through the failover");
            assertEquals(NodeStatus.State.READY, control(via).getNode(GetNodeRequest.newBuilder().setNode(w1Id).build())
                    .getNode().getStatus().getState());
        }
    }

    @Test
    @Order(6)
    void networksAllocateAddressesInTheStoreAndRefuseBadInput() throws Exception {
        // the leader of test 3 is gone: talk through a manager that is still up
        int v = -1;
        for (int m = 0; m < 3 && v < 0; m++) {
            try {
                control(m).listNetworks(ListNetworksRequest.getDefaultInstance());
                v = m;
            } catch (RuntimeException e) {
                // closed
            }
        }
        final int c = v;
        Network front = control(c).createNetwork(CreateNetworkRequest.newBuilder()
                .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("front"))).build());
        assertTrue(front.getIpam(0).getSubnet().matches("10\\.\\d+\\.\\d+\\.0/24"), front.toString());
        assertTrue(front.getVni() >= 4096);
        StatusRuntimeException clash = Assertions.assertThrows(StatusRuntimeException.class,
                () -> control(c).createNetwork(CreateNetworkRequest.newBuilder().setSpec(NetworkSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("back"))
                        .addIpam(IPAMConfig.newBuilder().setSubnet(front.getIpam(0).getSubnet()))).build()));
        assertTrue(clash.getStatus().getDescription().contains("overlaps"), clash.getStatus().getDescription());
        StatusRuntimeException dup = Assertions.assertThrows(StatusRuntimeException.class,
                () -> control(c).createNetwork(CreateNetworkRequest.newBuilder().setSpec(NetworkSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("front"))).build()));
        assertEquals("network front already exists", dup.getStatus().getDescription());
        StatusRuntimeException unknown = Assertions.assertThrows(StatusRuntimeException.class,
                () -> control(c).createService(CreateServiceRequest.newBuilder().setSpec(spec("lost").toBuilder()
                        .setTask(spec("lost").getTask().toBuilder().addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("nowhere")))
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(1))).build()));
        assertEquals("network: network nowhere not found", unknown.getStatus().getDescription());

        control(c).createService(CreateServiceRequest.newBuilder().setSpec(spec("api").toBuilder()
                .setTask(spec("api").getTask().toBuilder().addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("front")))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(3))).build());
        List<Task> run = await("3 running with addresses", Duration.ofSeconds(60), () -> tasks(c, "api"), t -> running(t).size() == 3);
        Set<String> addrs = new HashSet<>();
        for (Task t : running(run)) {
            assertEquals(front.getId(), t.getNetworks(0).getNetworkId());
            addrs.add(t.getNetworks(0).getAddress());
        }
        assertEquals(3, addrs.size(), "distinct addresses: " + addrs);
        Service api = control(c).getService(GetServiceRequest.newBuilder().setService("api").build());
        assertEquals(1, api.getEndpoint().getVirtualIpsCount(), "a VIP");
        StatusRuntimeException inUse = Assertions.assertThrows(StatusRuntimeException.class,
                () -> control(c).removeNetwork(RemoveNetworkRequest.newBuilder().setNetwork("front").build()));
        assertEquals("network front is in use by service api", inUse.getStatus().getDescription());
        control(c).removeService(RemoveServiceRequest.newBuilder().setService("api").build());
        await("the network can go once its tasks released their addresses", Duration.ofSeconds(60), () -> {
            try {
                control(c).removeNetwork(RemoveNetworkRequest.newBuilder().setNetwork("front").build());
                return true;
            } catch (StatusRuntimeException e) {
                return false;
            }
        }, ok -> ok);
        // what is left is the routing mesh's network, made at init as swarm mode does
        assertEquals(List.of("ingress"), control(c).listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()
                .stream().map(n -> n.getSpec().getAnnotations().getName()).toList());
    }
}
