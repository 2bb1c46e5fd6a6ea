package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Both liveness roles on a test clock and a scheduler that runs only when the test moves the clock:
 * the leader's judgement (Down, Ready again, a period more for nodes heard through a follower), and
 * a follower's reports to the leader and its silent sessions.
 */
class LivenessTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ManualScheduler scheduler = new ManualScheduler(now);
    private final ClusterStore store = new ClusterStore();
    private final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, now::get));
    private final Sessions sessions = new Sessions();
    private final Heard heard = new Heard();
    private final HeartbeatPolicy policy = HeartbeatPolicy.of(Duration.ofMillis(500), Duration.ofMillis(2000));

    private void nodes(String... ids) {
        for (String id : ids) {
            writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(id)
                    .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build()))));
        }
    }

    private NodeStatus.State state(String id) {
        return store.view(tx -> tx.node(id)).orElseThrow().getStatus().getState();
    }

    private Sessions.Session session(String nodeId) {
        return sessions.open(nodeId, new DispatcherTest.Stream());
    }

    /** A follower whose reports to the leader land in {@code reports}, each sorted. */
    private FollowerLiveness reportingTo(List<List<String>> reports) {
        return new FollowerLiveness(new Dispatcher.LeaderLink() {
            @Override public void reportLiveness(Collection<String> ids) { reports.add(ids.stream().sorted().toList()); }
            @Override public void catchUp() { }
        }, sessions, heard, () -> policy, now::get, scheduler);
    }

    private static Throwable error(Sessions.Session s) {
        return ((DispatcherTest.Stream) s.stream()).error;
    }

    @Test
    void theLeaderMarksASilentNodeDownOnItsTickAndClosesItsSession() {
        nodes("n1", "n2");
        Sessions.Session s1 = session("n1");
        LeaderLiveness leader = new LeaderLiveness(store, writer, sessions, heard, () -> policy, now::get, scheduler);
        for (int i = 0; i < 10; i++) { // n2 heartbeats every period for 5 s; n1 is silent
            scheduler.advance(500);
            heard.note("n2", now.get());
            leader.heard("n2", now.get());
        }
        assertEquals(NodeStatus.State.DOWN, state("n1"), "silent for more than 2 s");
        assertEquals(NodeStatus.State.READY, state("n2"));
        assertNotNull(error(s1), "the silent node's session is closed");
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(error(s1)).getCode());
        leader.close();
        assertEquals(0, scheduler.pending(), "no tick after close");
    }

    @Test
    void aNodeHeardAgainIsReadyAgainAndANewLeaderGivesEveryNodeItsTime() {
        nodes("n1");
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.node("n1").orElseThrow().toBuilder()
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.DOWN)).build()))));
        LeaderLiveness leader = new LeaderLiveness(store, writer, sessions, heard, () -> policy, now::get, scheduler);
        heard.note("n1", now.get());
        leader.heard("n1", now.get());
        leader.check();
        assertEquals(NodeStatus.State.READY, state("n1"), "heard within down-after");
        leader.close();

        nodes("n3"); // never heard of by anyone
        LeaderLiveness next = new LeaderLiveness(store, writer, sessions, heard, () -> policy, now::get, scheduler);
        now.addAndGet(2_000);
        next.check();
        assertEquals(NodeStatus.State.READY, state("n3"), "a full down-after from the new leader's start");
        now.addAndGet(1);
        next.check();
        assertEquals(NodeStatus.State.DOWN, state("n3"));
        next.close();
    }

    @Test
    void aNodeHeardThroughAFollowerHasOnePeriodMore() {
        nodes("n1");
        LeaderLiveness leader = new LeaderLiveness(store, writer, sessions, heard, () -> policy, now::get, scheduler);
        leader.heardFrom(List.of("n1"), now.get());
        now.addAndGet(2_400);
        leader.check();
        assertEquals(NodeStatus.State.READY, state("n1"));
        now.addAndGet(101);
        leader.check();
        assertEquals(NodeStatus.State.DOWN, state("n1"));
        leader.close();
    }

    @Test
    void aFollowerReportsWhatItHeardOncePerPeriodAndPassesOnWhatReachedIt() {
        List<List<String>> reports = new CopyOnWriteArrayList<>();
        FollowerLiveness follower = reportingTo(reports);
        follower.heard("n1", now.get());
        follower.heardFrom(List.of("n7"), now.get()); // another manager's report, sent here by mistake
        scheduler.advance(250); // the first tick reports at once
        assertEquals(List.of(List.of("n1", "n7")), reports);
        follower.heard("n2", now.get());
        scheduler.advance(250);
        assertEquals(1, reports.size(), "not again within the period");
        scheduler.advance(250);
        assertEquals(List.of(List.of("n1", "n7"), List.of("n2")), reports);
        scheduler.advance(1_000);
        assertEquals(2, reports.size(), "nothing heard: no call");
        follower.close();
    }

    @Test
    void aSessionOpeningOnAFollowerIsReportedAtOnceWithWhatElseWasHeard() {
        List<List<String>> reports = new CopyOnWriteArrayList<>();
        FollowerLiveness follower = reportingTo(reports);
        scheduler.advance(250); // a tick with nothing heard: no call
        follower.heard("n1", now.get());
        follower.opening("n2", now.get());
        assertEquals(List.of(List.of("n1", "n2")), reports, "reported before the session's Ready is written, no tick needed");
        scheduler.advance(1_000);
        assertEquals(1, reports.size(), "nothing heard since: no call");
        follower.close();
    }

    @Test
    void aSessionOpeningOnTheLeaderCountsAsHearingTheNode() {
        nodes("n1");
        LeaderLiveness leader = new LeaderLiveness(store, writer, sessions, heard, () -> policy, now::get, scheduler);
        now.addAndGet(1_900);
        leader.opening("n1", now.get());
        now.addAndGet(1_900);
        leader.check();
        assertEquals(NodeStatus.State.READY, state("n1"), "heard 1.9 s ago, at its session's opening");
        now.addAndGet(101);
        leader.check();
        assertEquals(NodeStatus.State.DOWN, state("n1"));
        leader.close();
    }

    @Test
    void aFollowerEndsTheSessionsOfWorkersSilentHere() {
        Sessions.Session quiet = session("n1");
        Sessions.Session busy = session("n2");
        heard.note("n1", now.get());
        FollowerLiveness follower = new FollowerLiveness(Dispatcher.LeaderLink.NONE, sessions, heard, () -> policy, now::get, scheduler);
        for (int i = 0; i < 10; i++) {
            scheduler.advance(250);
            heard.note("n2", now.get());
        }
        assertNotNull(error(quiet), "silent 2.5 s");
        assertNull(error(busy));
        assertNull(sessions.get(quiet.id(), null));
        assertEquals(busy, sessions.get(busy.id(), null));
        follower.close();
    }

    @Test
    void aFollowerThatCannotReachTheLeaderForDownAfterEndsEverySession() {
        AtomicBoolean reachable = new AtomicBoolean(true);
        FollowerLiveness follower = new FollowerLiveness(new Dispatcher.LeaderLink() {
            @Override public void reportLiveness(Collection<String> ids) {
                if (!reachable.get()) {
                    throw Status.UNAVAILABLE.withDescription("no known leader").asRuntimeException();
                }
            }
            @Override public void catchUp() { }
        }, sessions, heard, () -> policy, now::get, scheduler);
        Sessions.Session s1 = session("n1");
        Sessions.Session s2 = session("n2");
        Runnable heartbeats = () -> {
            for (String n : List.of("n1", "n2")) {
                heard.note(n, now.get());
                follower.heard(n, now.get());
            }
        };
        // reports fail for 1.5 s, less than down-after (2 s), then reach the leader again: nothing ends
        reachable.set(false);
        for (int i = 0; i < 6; i++) {
            heartbeats.run();
            scheduler.advance(250);
        }
        reachable.set(true);
        for (int i = 0; i < 4; i++) {
            heartbeats.run();
            scheduler.advance(250);
        }
        assertNull(error(s1));
        assertNull(error(s2));
        // the leader is lost for good (this manager was demoted, or is cut off): after down-after, every session ends
        reachable.set(false);
        for (int i = 0; i < 8; i++) {
            heartbeats.run();
            scheduler.advance(250);
        }
        assertNull(error(s1), "failing for 1.75 s only");
        for (int i = 0; i < 4; i++) {
            heartbeats.run();
            scheduler.advance(250);
        }
        assertNotNull(error(s1), "failing for longer than down-after");
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(error(s1)).getCode());
        assertNotNull(error(s2));
        assertEquals(0, sessions.size());
        follower.close();
    }

    @Test
    void aNewerSessionReplacesTheNodesOlderOneAndOnlyItsNodeMayUseIt() {
        Sessions.Session first = session("n1");
        Sessions.Session second = sessions.open("n1", new DispatcherTest.Stream());
        assertEquals(Status.Code.ABORTED, Status.fromThrowable(error(first)).getCode());
        assertEquals(1, sessions.size());
        assertEquals(second, sessions.get(second.id(), Caller.node("n1", NodeRole.NODE_ROLE_WORKER)));
        assertNull(sessions.get(second.id(), Caller.node("n2", NodeRole.NODE_ROLE_WORKER)), "another node's session");
        assertEquals(second, sessions.get(second.id(), null));
    }
}
