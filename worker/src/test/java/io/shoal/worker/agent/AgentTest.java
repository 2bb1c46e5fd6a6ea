package io.shoal.worker.agent;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.AssignmentsRequest;
import io.shoal.api.ContainerSpec;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.HeartbeatRequest;
import io.shoal.api.HeartbeatResponse;
import io.shoal.api.NodeDescription;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.UpdateTaskStatusRequest;
import io.shoal.api.UpdateTaskStatusResponse;
import io.shoal.api.WeightedPeer;
import io.shoal.worker.Await;
import io.shoal.worker.exec.TaskStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent against two fake dispatchers on loopback (plain gRPC, no TLS): it opens a session,
 * heartbeats at the period it is told, hands its assignments to the task manager and reports the
 * states back on the report stream; a manager that stops answering heartbeats loses the session
 * to the other manager its session message named.
 */
class AgentTest {
    private final List<Server> servers = new ArrayList<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closers = new ArrayList<>();

    /** A dispatcher that answers as a manager would, and records what the agent sends. */
    static final class FakeDispatcher extends DispatcherGrpc.DispatcherImplBase {
        final String name;
        final AtomicInteger sessions = new AtomicInteger();
        final AtomicInteger beats = new AtomicInteger();
        final List<TaskStatusUpdate> reports = new CopyOnWriteArrayList<>();
        volatile List<String> managers = List.of();
        volatile List<Task> tasks = List.of();
        volatile boolean answering = true;

        FakeDispatcher(String name) {
            this.name = name;
        }

        @Override
        public void session(SessionRequest req, StreamObserver<SessionMessage> out) {
            SessionMessage.Builder m = SessionMessage.newBuilder().setSessionId(name + "-" + sessions.incrementAndGet())
                    .setHeartbeatPeriodMs(100);
            managers.forEach(a -> m.addManagers(WeightedPeer.newBuilder().setNodeId(a).setAddr(a)));
            out.onNext(m.build()); // and the stream stays open, as a session does
        }

        @Override
        public StreamObserver<HeartbeatRequest> heartbeats(StreamObserver<HeartbeatResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(HeartbeatRequest r) {
                    beats.incrementAndGet();
                    if (answering) {
                        out.onNext(HeartbeatResponse.newBuilder().setPeriodMs(100).build());
                    }
                }

                @Override public void onError(Throwable t) { }
                @Override public void onCompleted() { }
            };
        }

        @Override
        public void assignments(AssignmentsRequest req, StreamObserver<AssignmentsMessage> out) {
            out.onNext(AssignmentsMessage.newBuilder().setSequence(1).setFull(true).addAllTasks(tasks).build());
        }

        @Override
        public StreamObserver<UpdateTaskStatusRequest> statusReports(StreamObserver<UpdateTaskStatusResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(UpdateTaskStatusRequest r) {
                    reports.addAll(r.getUpdatesList());
                    out.onNext(UpdateTaskStatusResponse.newBuilder().setSequence(r.getSequence()).build());
                }

                @Override public void onError(Throwable t) { }
                @Override public void onCompleted() { }
            };
        }
    }

    private String serve(FakeDispatcher d) throws IOException {
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(d).build().start();
        servers.add(s);
        return "127.0.0.1:" + s.getPort();
    }

    private ManagedChannel channel(String addr) {
        return channels.computeIfAbsent(addr, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
    }

    private Agent agent(List<String> managers, TaskManager tasks) {
        Agent a = new Agent(managers, this::channel, NodeDescription::getDefaultInstance, "127.0.0.1:1", m -> { },
                tasks, System::nanoTime, () -> 0.0);
        closers.add(a);
        return a;
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        Await.until(what, cond);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closers) {
            c.close();
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
    }

    @Test
    void aManagerThatStopsAnsweringHeartbeatsLosesTheSessionToTheNextManager() throws Exception {
        FakeDispatcher m1 = new FakeDispatcher("m1");
        FakeDispatcher m2 = new FakeDispatcher("m2");
        String a1 = serve(m1);
        String a2 = serve(m2);
        m1.managers = List.of(a1, a2);
        m2.managers = List.of(a1, a2);
        Agent agent = agent(List.of(a1), null);
        await("a session with m1 and heartbeats on it", () -> agent.connected() && m1.beats.get() >= 3);
        assertEquals(a1, agent.preferredManager());
        assertEquals(List.of(a1, a2), agent.managers(), "the session message's list replaces the start list");

        m1.answering = false; // m1 hangs: its heartbeats go unanswered
        await("a session with m2", () -> m2.sessions.get() == 1 && agent.connected() && a2.equals(agent.preferredManager()));
        int beatsOnM1 = m1.beats.get();
        await("heartbeats on m2", () -> m2.beats.get() >= 3);
        assertEquals(beatsOnM1, m1.beats.get(), "none to m1 any more");
        assertEquals(1, m1.sessions.get());
    }

    @Test
    void assignedTasksRunAndTheirStatesAreReportedOnTheReportStream() throws Exception {
        FakeDispatcher m1 = new FakeDispatcher("m1");
        m1.tasks = List.of(Task.newBuilder().setId("t1").setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox")))
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)).build());
        String a1 = serve(m1);
        TaskManagerTest.FakeHost host = new TaskManagerTest.FakeHost();
        TaskManager tasks = new TaskManager(host, new TaskStep(System::currentTimeMillis));
        closers.add(tasks);
        agent(List.of(a1), tasks);
        await("t1 reported RUNNING", () -> m1.reports.stream()
                .anyMatch(u -> u.getTaskId().equals("t1") && u.getStatus().getState() == TaskState.TASK_STATE_RUNNING));
        assertTrue(host.containers.get("t1").calls.contains("start"), host.containers.get("t1").calls.toString());
    }
}
