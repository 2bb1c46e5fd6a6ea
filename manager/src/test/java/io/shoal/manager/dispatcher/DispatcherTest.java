package io.shoal.manager.dispatcher;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.AssignmentsRequest;
import io.shoal.api.HeartbeatRequest;
import io.shoal.api.HeartbeatResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.UpdateTaskStatusRequest;
import io.shoal.api.UpdateTaskStatusResponse;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Liveness with an injected clock: Down after the timeout, Ready again while heartbeating, heard through a follower. */
class DispatcherTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ClusterStore store = new ClusterStore();
    private final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, now::get));
    private final Dispatcher dispatcher = new Dispatcher(store, writer, Duration.ofMillis(500), Duration.ofMillis(2000), now::get);

    /** A server stream that is always ready and ignores flow control and compression settings. */
    abstract static class ServerStream<T> extends ServerCallStreamObserver<T> {
        @Override public void setOnCancelHandler(Runnable r) { }
        @Override public void setCompression(String c) { }
        @Override public boolean isReady() { return true; }
        @Override public void setOnReadyHandler(Runnable r) { }
        @Override public void request(int n) { }
        @Override public void setMessageCompression(boolean e) { }
        @Override public void disableAutoInboundFlowControl() { }
    }

    /** The server side of a session stream, recording what the dispatcher sends. */
    static final class Stream extends ServerStream<SessionMessage> {
        final List<SessionMessage> messages = new CopyOnWriteArrayList<>();
        volatile Throwable error;
        volatile boolean cancelled;

        @Override public boolean isCancelled() { return cancelled || error != null; }
        @Override public void onNext(SessionMessage m) { messages.add(m); }
        @Override public void onError(Throwable t) { error = t; }
        @Override public void onCompleted() { cancelled = true; }
    }

    @AfterEach
    void stop() {
        dispatcher.shutdown();
    }

    private Node node() {
        return store.view(tx -> tx.node("n1")).orElseThrow();
    }

    /** The store holds node n1 and {@code dispatcher} leads. */
    private void leadWithNodeN1() {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n1").build()))));
        dispatcher.run();
    }

    private Stream open() throws Exception {
        Stream s = new Stream();
        Context.current().withValue(Caller.KEY, Caller.node("n1", NodeRole.NODE_ROLE_WORKER))
                .call(() -> {
                    dispatcher.session(SessionRequest.newBuilder().setAdvertiseAddr("10.0.0.5:4242").build(), s);
                    return null;
                });
        return s;
    }

    /** A heartbeat stream opened as node {@code nodeId}; answers and the error land in the lists. */
    private StreamObserver<HeartbeatRequest> beats(String nodeId, List<HeartbeatResponse> answers, List<Throwable> errors) throws Exception {
        return Context.current().withValue(Caller.KEY, Caller.node(nodeId, NodeRole.NODE_ROLE_WORKER))
                .call(() -> dispatcher.heartbeats(new StreamObserver<HeartbeatResponse>() {
                    @Override public void onNext(HeartbeatResponse r) { answers.add(r); }
                    @Override public void onError(Throwable t) { errors.add(t); }
                    @Override public void onCompleted() { }
                }));
    }

    /** One heartbeat, sent the way the agent sends them: a message on the session's heartbeat stream. */
    private void heartbeat(String session) throws Exception {
        List<HeartbeatResponse> answers = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        beats("n1", answers, errors).onNext(HeartbeatRequest.newBuilder().setSessionId(session).build());
        assertEquals(List.of(), errors);
        assertEquals(dispatcher.periodMs(), answers.get(0).getPeriodMs(), "each heartbeat is answered with the period");
    }

    /** The server side of an assignments stream. */
    static final class Assignments extends ServerStream<AssignmentsMessage> {
        final BlockingQueue<AssignmentsMessage> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();

        @Override public boolean isCancelled() { return error.isDone(); }
        @Override public void onNext(AssignmentsMessage m) { messages.add(m); }
        @Override public void onError(Throwable t) { error.complete(t); }
        @Override public void onCompleted() { error.complete(null); }
    }

    @Test
    void anAssignmentsStreamEndsWhenItsSessionEndsNotAtItsNextLook() throws Exception {
        leadWithNodeN1();
        String id = open().messages.get(0).getSessionId();
        Assignments a = new Assignments();
        dispatcher.assignments(AssignmentsRequest.newBuilder().setSessionId(id).build(), a);
        assertNotNull(a.messages.poll(10, TimeUnit.SECONDS), "the full set first");
        open(); // the worker's new session replaces this one
        // the stream looks on its own only every Wakeups.BACKSTOP_SECONDS (10 s): ending well within
        // that shows the session's end woke it
        Throwable end = a.error.get(Wakeups.BACKSTOP_SECONDS / 2, TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(end).getCode());
    }

    @Test
    void heartbeatsOfAnUnknownSessionOrAnotherNodesSessionEndTheStream() throws Exception {
        leadWithNodeN1();
        String id = open().messages.get(0).getSessionId();
        for (String[] c : new String[][] {{"n1", "no-such-session"}, {"n2", id}}) {
            List<HeartbeatResponse> answers = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            StreamObserver<HeartbeatRequest> in = beats(c[0], answers, errors);
            in.onNext(HeartbeatRequest.newBuilder().setSessionId(c[1]).build());
            in.onNext(HeartbeatRequest.newBuilder().setSessionId(id).build()); // ignored: the stream ended
            assertEquals(List.of(), answers, String.join(" ", c));
            assertEquals(1, errors.size(), String.join(" ", c));
            assertEquals(Status.Code.NOT_FOUND, Status.fromThrowable(errors.get(0)).getCode());
        }
    }

    @Test
    void aSessionMakesTheNodeReadyAndSilenceMakesItDown() throws Exception {
        leadWithNodeN1();
        Stream s = open();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState());
        assertEquals("10.0.0.5", node().getStatus().getAddr());
        assertFalse(s.messages.isEmpty(), "the session starts with a message");
        String id = s.messages.get(0).getSessionId();

        now.addAndGet(1500);
        heartbeat(id);
        now.addAndGet(1500);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "heard from 1.5 s ago");

        now.addAndGet(2500);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.DOWN, node().getStatus().getState());
        assertEquals("heartbeat failure", node().getStatus().getMessage());
        assertNotNull(s.error, "the silent node's session is closed");
    }

    @Test
    void aStatusReportCountsAsAHeartbeat() throws Exception {
        leadWithNodeN1();
        String id = open().messages.get(0).getSessionId();
        now.addAndGet(1500);
        CompletableFuture<Object> answered = new CompletableFuture<>();
        dispatcher.updateTaskStatus(UpdateTaskStatusRequest.newBuilder().setSessionId(id)
                .addUpdates(TaskStatusUpdate.newBuilder().setTaskId("gone")
                        .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_RUNNING))).build(),
                new StreamObserver<>() {
                    @Override public void onNext(UpdateTaskStatusResponse r) { answered.complete(r); }
                    @Override public void onError(Throwable t) { answered.complete(t); }
                    @Override public void onCompleted() { }
                });
        assertTrue(answered.get(10, TimeUnit.SECONDS) instanceof UpdateTaskStatusResponse);
        now.addAndGet(1500);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "no heartbeat for 3 s, but a report 1.5 s ago");
        now.addAndGet(2500);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.DOWN, node().getStatus().getState(), "silent for 4 s");
    }

    @Test
    void reportsOnTheStreamAreAnsweredWithTheirSequenceAndOnlyForTheCallersOwnSession() throws Exception {
        leadWithNodeN1();
        String id = open().messages.get(0).getSessionId();
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Task.newBuilder().setId("t1").setNodeId("n1")
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)).build()))));
        BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<UpdateTaskStatusResponse> sink = new StreamObserver<>() {
            @Override public void onNext(UpdateTaskStatusResponse r) { answers.add(r.getSequence()); }
            @Override public void onError(Throwable t) { answers.add(Status.fromThrowable(t).getCode()); }
            @Override public void onCompleted() { answers.add("completed"); }
        };
        StreamObserver<UpdateTaskStatusRequest> reports = Context.current()
                .withValue(Caller.KEY, Caller.node("n1", NodeRole.NODE_ROLE_WORKER)).call(() -> dispatcher.statusReports(sink));
        now.addAndGet(1500);
        for (long seq = 7; seq <= 8; seq++) {
            TaskState state = seq == 7 ? TaskState.TASK_STATE_STARTING : TaskState.TASK_STATE_RUNNING;
            reports.onNext(UpdateTaskStatusRequest.newBuilder().setSessionId(id).setSequence(seq)
                    .addUpdates(TaskStatusUpdate.newBuilder().setTaskId("t1")
                            .setStatus(TaskStatus.newBuilder().setState(state).setTimestampMs(seq))).build());
            assertEquals(seq, answers.poll(10, TimeUnit.SECONDS), "answered with its sequence");
        }
        assertEquals(TaskState.TASK_STATE_RUNNING, store.view(tx -> tx.task("t1")).orElseThrow().getStatus().getState(),
                "committed before the answer");
        now.addAndGet(1500);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "a report on the stream counts as a heartbeat");

        // another node's stream may not report for this session: the stream ends, nothing is written
        StreamObserver<UpdateTaskStatusRequest> other = Context.current()
                .withValue(Caller.KEY, Caller.node("n2", NodeRole.NODE_ROLE_WORKER)).call(() -> dispatcher.statusReports(sink));
        other.onNext(UpdateTaskStatusRequest.newBuilder().setSessionId(id).setSequence(1)
                .addUpdates(TaskStatusUpdate.newBuilder().setTaskId("t1")
                        .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_FAILED))).build());
        assertEquals(Status.Code.NOT_FOUND, answers.poll(10, TimeUnit.SECONDS));
        assertEquals(TaskState.TASK_STATE_RUNNING, store.view(tx -> tx.task("t1")).orElseThrow().getStatus().getState());
    }

    @Test
    void aNodeMarkedDownWhileItKeepsHeartbeatingIsReadyAgain() throws Exception {
        leadWithNodeN1();
        Stream s = open();
        String id = s.messages.get(0).getSessionId();
        // a stale write, e.g. from a deposed leader's liveness loop
        Node n = node();
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(n.toBuilder()
                .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.DOWN)).build()))));
        now.addAndGet(400);
        heartbeat(id);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState());
        assertTrue(s.error == null, "the session stays open");
    }

    @Test
    void aFollowerReportsTheNodesItHearsAndTheLeaderKeepsThemReady() throws Exception {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n1").build()))));
        List<List<String>> reports = new CopyOnWriteArrayList<>();
        // the follower shares the store here (as if it had applied the same log); the leader is `dispatcher`
        Dispatcher follower = new Dispatcher(store, writer, Duration.ofMillis(500), Duration.ofMillis(2000), now::get,
                new Dispatcher.LeaderLink() {
                    @Override public void reportLiveness(Collection<String> ids) { reports.add(List.copyOf(ids)); }
                    @Override public void catchUp() { }
                });
        try {
            follower.serve();
            dispatcher.run();
            Stream s = new Stream();
            Context.current().withValue(Caller.KEY, Caller.node("n1", NodeRole.NODE_ROLE_WORKER)).call(() -> {
                follower.session(SessionRequest.newBuilder().setAdvertiseAddr("10.0.0.5:4242").build(), s);
                return null;
            });
            assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "a session on a follower makes the node Ready");
            String id = s.messages.get(0).getSessionId();
            for (int i = 0; i < 10; i++) { // 5 s of heartbeats to the follower only
                now.addAndGet(500);
                follower.heartbeat(HeartbeatRequest.newBuilder().setSessionId(id).build(), new StreamObserver<HeartbeatResponse>() {
                    @Override public void onNext(HeartbeatResponse r) { }
                    @Override public void onError(Throwable t) { throw new AssertionError(t); }
                    @Override public void onCompleted() { }
                });
                follower.report();
                reports.forEach(dispatcher::heardFrom);
                reports.clear();
                dispatcher.checkLiveness();
                assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "heard through the follower");
            }
            now.addAndGet(3100); // silence: down-after, plus a period for a node heard of through reports
            dispatcher.checkLiveness();
            assertEquals(NodeStatus.State.DOWN, node().getStatus().getState(), "silent: Down, though its session is elsewhere");
        } finally {
            follower.shutdown();
        }
    }

    @Test
    void aNodeRestartedOntoAFollowerIsNotJudgedOnItsOldSession() throws Exception {
        leadWithNodeN1();
        String id = open().messages.get(0).getSessionId();
        heartbeat(id); // the old daemon, on the leader, heard last now
        // the leader's link is the follower's: its reports reach the leader at once, as over the network
        Dispatcher follower = new Dispatcher(store, writer, Duration.ofMillis(500), Duration.ofMillis(2000), now::get,
                new Dispatcher.LeaderLink() {
                    @Override public void reportLiveness(Collection<String> ids) { dispatcher.heardFrom(ids); }
                    @Override public void catchUp() { }
                });
        try {
            follower.serve();
            now.addAndGet(1900); // the daemon stops and a new one starts: 1.9 s without a heartbeat
            Stream s = new Stream();
            Context.current().withValue(Caller.KEY, Caller.node("n1", NodeRole.NODE_ROLE_WORKER)).call(() -> {
                follower.session(SessionRequest.newBuilder().setAdvertiseAddr("10.0.0.5:4242").build(), s);
                return null;
            });
            assertFalse(s.messages.isEmpty(), "the new session is open on the follower");
            now.addAndGet(200); // before the follower's next periodic report
            dispatcher.checkLiveness();
            assertEquals(NodeStatus.State.READY, node().getStatus().getState(),
                    "the session that just opened is heard of, not the old one's last heartbeat 2.1 s ago");
            now.addAndGet(2400); // and silence from the new session is judged from its opening
            dispatcher.checkLiveness();
            assertEquals(NodeStatus.State.DOWN, node().getStatus().getState());
        } finally {
            follower.shutdown();
        }
    }

    @Test
    void aFollowerThatKnowsNoLeaderRefusesSessionsAndWritesNothing() throws Exception {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n1").build()))));
        AtomicBoolean known = new AtomicBoolean(false);
        Dispatcher follower = new Dispatcher(store, writer, Duration.ofMillis(500), Duration.ofMillis(2000), now::get,
                new Dispatcher.LeaderLink() {
                    @Override public void reportLiveness(Collection<String> ids) { }
                    @Override public void catchUp() { }
                    @Override public boolean leaderKnown() { return known.get(); }
                });
        try {
            follower.serve();
            Stream refused = new Stream();
            Context.current().withValue(Caller.KEY, Caller.node("n1", NodeRole.NODE_ROLE_WORKER)).call(() -> {
                follower.session(SessionRequest.newBuilder().setAdvertiseAddr("10.0.0.5:4242").build(), refused);
                return null;
            });
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(refused.error).getCode());
            assertTrue(refused.messages.isEmpty());
            assertEquals(NodeStatus.State.UNKNOWN, node().getStatus().getState(), "nothing written");

            known.set(true); // a leader is elected: the follower serves sessions again
            Stream served = new Stream();
            Context.current().withValue(Caller.KEY, Caller.node("n1", NodeRole.NODE_ROLE_WORKER)).call(() -> {
                follower.session(SessionRequest.newBuilder().setAdvertiseAddr("10.0.0.5:4242").build(), served);
                return null;
            });
            assertNull(served.error);
            assertEquals(NodeStatus.State.READY, node().getStatus().getState());
        } finally {
            follower.shutdown();
        }
    }

    private void awaitPeriod(long ms) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dispatcher.periodMs() != ms && System.nanoTime() < deadline) {
            Thread.sleep(10); // the change hub follows the store on its own thread
        }
        assertEquals(ms, dispatcher.periodMs());
    }

    @Test
    void aBigFleetHeartbeatsLessOftenAndABigPeriodEndsGently() throws Exception {
        leadWithNodeN1();
        Stream s = open();
        String id = s.messages.get(0).getSessionId();
        assertEquals(500, s.messages.get(0).getHeartbeatPeriodMs(), "one node: the configured period");

        // 5,000 nodes: every 5 s (200 heartbeats/s at most up to swarm mode's 5 s), Down after 20 s
        List<StoreAction> more = new ArrayList<>();
        for (int i = 2; i <= 5000; i++) {
            more.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n" + i).setStatus(NodeStatus.newBuilder()
                    .setState(NodeStatus.State.DOWN)).build())));
        }
        writer.update(tx -> more);
        awaitPeriod(5000);
        assertEquals(20_000, dispatcher.downAfterMs());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (s.messages.getLast().getHeartbeatPeriodMs() != 5000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(5000, s.messages.getLast().getHeartbeatPeriodMs(), "the session tells the worker the new period");
        heartbeat(id);
        now.addAndGet(19_000);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "silent 19 s of a 20 s down-after");

        // the fleet shrinks: the short period is back, but the long down-after holds for two old periods
        heartbeat(id);
        writer.update(tx -> more.stream().map(a -> Batches.remove(tx.node(StoreObjects.id(a.getObject())).map(StoreObjects::wrap).orElseThrow())).toList());
        awaitPeriod(500);
        now.addAndGet(9_000); // a worker on the 5 s period may be this silent before it learns the new one
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.READY, node().getStatus().getState(), "not Down for a period it had not learned yet");
        now.addAndGet(2_000);
        dispatcher.checkLiveness();
        assertEquals(NodeStatus.State.DOWN, node().getStatus().getState(), "then the 2 s down-after applies");
    }
}
