package io.shoal.e2e;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.consensus.ConsensusException;
import io.shoal.manager.dispatcher.Dispatcher;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.worker.agent.Agent;
import io.shoal.worker.agent.TaskManager;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Executor;
import io.shoal.worker.exec.ExitStatus;
import io.shoal.worker.exec.TaskStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 17's tasks left ASSIGNED after a leader change: every write in flight fails when the Raft
 * leader changes, a status write among them, and the dispatcher ends the report streams it
 * answered for unanswered. Nothing else sends such a task to its node again (the store did not
 * change, so the assignments stream stays quiet), so the worker must report the state again. The
 * agent does (its task manager retries a failed report); the bench's hollow node dropped the
 * report and left the task ASSIGNED for good. Both against the real dispatcher on loopback, whose
 * store fails the first write of a RUNNING report as a leader change does.
 */
class FailedStatusWriteTest {
    private static final String NODE = "n1";
    private static final String TASK = "t1";

    private final ClusterStore store = new ClusterStore();
    private final LocalProposer local = new LocalProposer(store, System::currentTimeMillis);
    /** Writes of a RUNNING report still to fail, and those that did. */
    private final AtomicInteger toFail = new AtomicInteger(1);
    private final AtomicInteger failed = new AtomicInteger();
    private final StoreWriter writer = new StoreWriter(store, this::propose);
    private final Dispatcher dispatcher = new Dispatcher(store, writer, Duration.ofMillis(500), Duration.ofSeconds(60),
            System::currentTimeMillis);
    private final List<AutoCloseable> closers = new ArrayList<>();
    private Server server;
    private ManagedChannel channel;

    private CompletableFuture<ApplyResult> propose(StoreBatch batch) {
        boolean running = batch.getActionsList().stream().anyMatch(a -> a.getKind() == StoreAction.Kind.TASK_STATUS
                && a.getStatus().getStatus().getState() == TaskState.TASK_STATE_RUNNING);
        if (running && toFail.getAndDecrement() > 0) {
            failed.incrementAndGet();
            return CompletableFuture.failedFuture(new ConsensusException("the Raft leader changed (injected)"));
        }
        return local.propose(batch);
    }

    /** Every call is made as node n1 (the mutual-TLS certificate's part, which this plain-text server lacks). */
    private static final ServerInterceptor AS_NODE = new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            return Contexts.interceptCall(Context.current().withValue(Caller.KEY, Caller.node(NODE, NodeRole.NODE_ROLE_WORKER)),
                    call, headers, next);
        }
    };

    @BeforeEach
    void start() throws Exception {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(NODE).build()))));
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Task.newBuilder().setId(TASK).setNodeId(NODE)
                .setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox")))
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)).build()))));
        dispatcher.run();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(dispatcher, AS_NODE)).build().start();
        channel = NettyChannelBuilder.forTarget("127.0.0.1:" + server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closers.reversed()) {
            c.close();
        }
        channel.shutdownNow();
        server.shutdownNow();
        dispatcher.shutdown();
    }

    private TaskState stored() {
        return store.view(tx -> tx.task(TASK)).orElseThrow().getStatus().getState();
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theHollowNodeReportsAStateAgainWhenItsWriteFailed() throws Exception {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        closers.add(timer::shutdownNow);
        HollowNode.Fleet fleet = new HollowNode.Fleet();
        HollowNode hollow = new HollowNode(channel, timer, fleet);
        hollow.open();
        await("the task is RUNNING in the store (it stays ASSIGNED when the lost report is not sent again)",
                () -> stored() == TaskState.TASK_STATE_RUNNING);
        await("the hollow node counts it acknowledged", () -> hollow.acked.contains(TASK));
        assertEquals(1, failed.get(), "the first write of its RUNNING report failed");
        assertEquals(1, fleet.running.get());
        assertTrue(fleet.reports.get() >= 2, "reported again after the failure: " + fleet.reports.get());
    }

    @Test
    void theAgentReportsAStateAgainWhenItsWriteFailed() throws Exception {
        TaskManager tasks = new TaskManager(new RunsAtOnce(), new TaskStep(System::currentTimeMillis));
        closers.add(tasks);
        closers.add(new Agent(List.of("127.0.0.1:" + server.getPort()), addr -> channel, HollowNode::description,
                "127.0.0.1:4242", m -> { }, tasks));
        await("the task is RUNNING in the store", () -> stored() == TaskState.TASK_STATE_RUNNING);
        assertEquals(1, failed.get(), "the first write of its RUNNING report failed");
    }

    /** Containers that start at once and run until stopped. */
    private static final class RunsAtOnce implements Executor {
        @Override
        public Controller controller(Task task) {
            return new Controller() {
                private volatile ExitStatus exit;
                private volatile boolean started;

                @Override public void prepare() { }
                @Override public void start() { started = true; }
                @Override public Optional<ExitStatus> exitStatus() { return Optional.ofNullable(exit); }
                @Override public Optional<ExitStatus> waitExit(Duration t) throws InterruptedException {
                    Thread.sleep(Math.min(t.toMillis(), 20));
                    return Optional.ofNullable(exit);
                }
                @Override public ExitStatus shutdown(String signal, Duration grace) {
                    exit = new ExitStatus(143);
                    return exit;
                }
                @Override public void remove() { started = false; }
                @Override public boolean exists() { return started; }
            };
        }
    }
}
