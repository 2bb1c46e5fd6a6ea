package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.ConfigReference;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.JoinResponse;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.NodeStatus;
import io.shoal.api.Placement;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Dependencies;
import io.shoal.worker.exec.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets and configs through a whole cluster in one JVM (a manager and two workers, real Ratis and
 * mutual TLS, a fake executor that records what each task was given): the value goes through
 * init's data key, the log and the dispatcher to the one worker whose task reads it, and is gone
 * there once no task reads it.
 */
class SecretsInProcessTest {
    @TempDir
    static Path dir;
    static final List<NodeDaemon> daemons = new ArrayList<>();
    static final List<ManagedChannel> channels = new ArrayList<>();
    static final Map<String, Recording> executors = new ConcurrentHashMap<>();
    static final Map<String, String> addrs = new ConcurrentHashMap<>();
    static String w1;

    /** Containers that run until stopped; each keeps the view of secrets and configs its task was given. */
    static final class Recording implements Executor {
        final Map<String, Dependencies> given = new ConcurrentHashMap<>();
        final Map<String, InProcessClusterTest.Fake> containers = new ConcurrentHashMap<>();

        @Override
        public Controller controller(Task task) {
            return containers.computeIfAbsent(task.getId(), id -> new InProcessClusterTest.Fake(task));
        }

        @Override
        public Controller controller(Task task, Dependencies deps) {
            given.put(task.getId(), deps);
            return controller(task);
        }

        @Override
        public List<String> existingTaskIds() {
            return containers.values().stream().filter(f -> f.started).map(f -> f.id).toList();
        }
    }

    static NodeDaemon daemon(String name) throws IOException {
        int port = InProcessClusterTest.freePortPair();
        Path data = dir.resolve(name);
        Path socket = dir.resolve(name + ".sock");
        Recording ex = new Recording();
        executors.put(name, ex);
        addrs.put(name, "127.0.0.1:" + port);
        NodeDaemon d = new NodeDaemon(new DaemonOptions(data, socket, "runc", "127.0.0.1:" + port, List.of(), 1000, ex,
                id -> data.resolve("no-logs"), List.of()));
        d.start();
        daemons.add(d);
        channels.add(LocalSocket.connect(socket));
        return d;
    }

    static ControlGrpc.ControlBlockingStub control() {
        return ControlGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static <T> T await(String what, Supplier<T> probe, Predicate<T> ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what + "; last: " + last);
    }

    @BeforeAll
    static void cluster() throws Exception {
        NodeDaemon m1 = daemon("m1");
        String m1Addr = addrs.get("m1");
        InitResponse init = m1.init(InitRequest.newBuilder().setListenAddr(m1Addr).setAdvertiseAddr(m1Addr).build());
        for (String w : List.of("w1", "w2")) {
            NodeDaemon d = daemon(w);
            String addr = addrs.get(w);
            JoinResponse joined = d.join(JoinRequest.newBuilder().setToken(init.getWorkerToken()).setRemoteAddr(m1Addr)
                    .setListenAddr(addr).setAdvertiseAddr(addr).build());
            if (w.equals("w1")) {
                w1 = joined.getNodeId();
            }
        }
        await("3 nodes are ready", () -> control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                nodes -> nodes.size() == 3 && nodes.stream().allMatch(n -> n.getNode().getStatus().getState() == NodeStatus.State.READY));
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        daemons.forEach(NodeDaemon::close);
    }

    @Test
    void aSecretReachesOnlyTheWorkerThatRunsItsTaskAndLeavesWithIt() throws Exception {
        ByteString value = ByteString.copyFromUtf8("pw-" + UUID.randomUUID());
        String secretId = control().createSecret(CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("db")).setData(value)).build()).getId();
        String configId = control().createConfig(CreateConfigRequest.newBuilder().setSpec(ConfigSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("app.conf")).setData(ByteString.copyFromUtf8("a=1"))).build()).getId();
        control().createService(CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("api"))
                .setTask(TaskSpec.newBuilder().setPlacement(Placement.newBuilder().addConstraints("node.id==" + w1))
                        .setContainer(ContainerSpec.newBuilder().setImage("fake/image:1").setStopGracePeriodMs(100).setHasStopGracePeriod(true)
                                .addSecrets(SecretReference.newBuilder().setSecretName("db"))
                                .addConfigs(ConfigReference.newBuilder().setConfigName("app.conf"))))).build());
        Task t = await("api runs", () -> control().listTasks(ListTasksRequest.newBuilder().setService("api").build()).getTasksList(),
                l -> l.size() == 1 && l.get(0).getStatus().getState() == TaskState.TASK_STATE_RUNNING).get(0);
        assertEquals(w1, t.getNodeId());
        Dependencies given = executors.get("w1").given.get(t.getId());
        assertEquals(value, given.secret(secretId).orElseThrow().getSpec().getData(), "the worker got the value, opened");
        assertEquals("a=1", given.config(configId).orElseThrow().getSpec().getData().toStringUtf8());
        assertTrue(executors.get("w2").given.isEmpty() && executors.get("m1").given.isEmpty(), "no other node had a task of it");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> control().removeSecret(RemoveSecretRequest.newBuilder().setSecret("db").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("secret 'db' is in use by the following service: api", e.getStatus().getDescription());

        control().removeService(RemoveServiceRequest.newBuilder().setService("api").build());
        await("the worker forgot the secret", () -> given.secret(secretId).isPresent(), present -> !present);
        await("and the config", () -> given.config(configId).isPresent(), present -> !present);
        control().removeSecret(RemoveSecretRequest.newBuilder().setSecret("db").build());
    }
}
