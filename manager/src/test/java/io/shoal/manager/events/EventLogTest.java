package io.shoal.manager.events;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreSnapshot;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Store changes recorded as docker events, in log order, with the positions a stream resumes from:
 * the same on every replica that applies the same entries.
 */
class EventLogTest {
    private final ClusterStore store = new ClusterStore();
    private final EventLog log = EventLog.start(store, 100);

    @AfterEach
    void stop() {
        log.close();
    }

    static Service service(String id, String name, long replicas, String image) {
        return Service.newBuilder().setId(id).setSpec(ServiceSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage(image)))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(replicas))).build();
    }

    static Node node(String id, String host, NodeAvailability availability) {
        return Node.newBuilder().setId(id).setDescription(NodeDescription.newBuilder().setHostname(host))
                .setSpec(NodeSpec.newBuilder().setAvailability(availability))
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build();
    }

    static Task task(String id, String service, String node, TaskState state) {
        return Task.newBuilder().setId(id).setServiceId(service).setNodeId(node).setSlot(1)
                .setAnnotations(Annotations.newBuilder().setName("web.1"))
                .setDesiredState(TaskState.TASK_STATE_RUNNING).setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    private void apply(long index, long ts, StoreAction... actions) {
        assertTrue(store.apply(index, StoreBatch.newBuilder().setTimestampMs(ts).addAllActions(List.of(actions)).build()).getOk());
    }

    /** Waits for the recorder to have recorded {@code n} events in all, and returns them. */
    private List<Event> recorded(int n) throws InterruptedException {
        EventHistory h = log.history();
        assertTrue(h.await(n - 1, 10_000), "the recorder recorded " + h.next() + " of " + n + " events");
        return h.read(h.oldest(), 1000);
    }

    @Test
    void changesBecomeDockersEventsWithWhatChanged() throws InterruptedException {
        apply(1, 1_000, Batches.create(StoreObjects.wrap(node("n1", "h1", NodeAvailability.NODE_AVAILABILITY_ACTIVE))),
                Batches.create(StoreObjects.wrap(service("s1", "web", 2, "busybox:1"))));
        apply(2, 2_000, Batches.update(StoreObjects.wrap(service("s1", "web", 3, "busybox:2"))));
        apply(3, 3_000, Batches.create(StoreObjects.wrap(task("t1", "s1", "n1", TaskState.TASK_STATE_ASSIGNED))));
        apply(4, 4_000, Batches.status("t1", "n1", TaskStatus.newBuilder().setState(TaskState.TASK_STATE_RUNNING).build()));
        apply(5, 5_000, Batches.update(StoreObjects.wrap(node("n1", "h1", NodeAvailability.NODE_AVAILABILITY_DRAIN))));
        apply(6, 6_000, Batches.remove(StoreObjects.wrap(service("s1", "web", 3, "busybox:2"))));
        List<Event> events = recorded(7);
        assertEquals(List.of("node create n1 {name=h1}", "service create s1 {name=web}",
                "service update s1 {image.new=busybox:2, image.old=busybox:1, name=web, replicas.new=3, replicas.old=2}",
                "task create t1 {desiredstate=running, name=web.1, node.id=n1, node.name=h1, service.id=s1, service.name=web, state=assigned}",
                "task update t1 {name=web.1, node.id=n1, node.name=h1, service.id=s1, service.name=web, state.new=running, state.old=assigned}",
                "node update n1 {availability.new=drain, availability.old=active, name=h1}",
                "service remove s1 {name=web}"),
                events.stream().map(e -> e.getType() + " " + e.getAction() + " " + e.getActorId() + " "
                        + new TreeMap<>(e.getAttributesMap())).toList());
        assertEquals(List.of("1.0", "1.1", "2.0", "3.0", "4.0", "5.0", "6.0"),
                events.stream().map(e -> e.getCursor().getIndex() + "." + e.getCursor().getOrdinal()).toList(),
                "positions: the entry's index and the change's place in it");
        assertEquals(6_000_000_000L, events.getLast().getTimeNanos(), "a removal is stamped with its entry's time");
    }

    /** Events are built when first read: they still name what their task's service and node were called then. */
    @Test
    void anEventReadLaterNamesWhatItsChangeSawWhenItWasRecorded() throws InterruptedException {
        apply(1, 1_000, Batches.create(StoreObjects.wrap(node("n1", "h1", NodeAvailability.NODE_AVAILABILITY_ACTIVE))),
                Batches.create(StoreObjects.wrap(service("s1", "web", 1, "busybox:1"))));
        apply(2, 2_000, Batches.create(StoreObjects.wrap(task("t1", "s1", "n1", TaskState.TASK_STATE_ASSIGNED))));
        apply(3, 3_000, Batches.update(StoreObjects.wrap(node("n1", "h2", NodeAvailability.NODE_AVAILABILITY_ACTIVE))),
                Batches.update(StoreObjects.wrap(service("s1", "api", 1, "busybox:1"))));
        apply(4, 4_000, Batches.status("t1", "n1", TaskStatus.newBuilder().setState(TaskState.TASK_STATE_RUNNING).build()));
        List<Event> events = recorded(6);
        assertEquals(List.of("task create web h1", "task update api h2"), events.stream().filter(e -> e.getType().equals("task"))
                .map(e -> "task " + e.getAction() + " " + e.getAttributesOrThrow("service.name") + " " + e.getAttributesOrThrow("node.name"))
                .toList());
        assertEquals(events, log.history().read(log.history().oldest(), 1000), "read again, the same events");
    }

    @Test
    void aStreamResumesAfterTheLastEventItSawAndNeverBeforeWhatWasDropped() throws InterruptedException {
        for (int i = 1; i <= 150; i++) {
            apply(i, i, Batches.create(StoreObjects.wrap(node("n" + i, "h" + i, NodeAvailability.NODE_AVAILABILITY_ACTIVE))));
        }
        List<Event> kept = recorded(150);
        assertEquals(100, kept.size(), "the history keeps its capacity");
        assertEquals(51, kept.getFirst().getCursor().getIndex());
        EventHistory h = log.history();
        long next = h.after(cursor(120, 0));
        assertEquals(121, h.read(next, 1).getFirst().getCursor().getIndex(), "resumes with the event after the cursor");
        assertEquals(h.next(), h.after(cursor(150, 0)), "after the newest: only what comes next");
        assertEquals(51, h.read(h.after(cursor(50, 0)), 1).getFirst().getCursor().getIndex(), "the last dropped event was seen: no gap");
        EventHistory.Gone gone = assertThrows(EventHistory.Gone.class, () -> h.after(cursor(49, 0)));
        assertTrue(gone.getMessage().contains("no longer kept"), gone.getMessage());
        assertEquals(51, h.read(h.since(51 * 1_000_000L), 1).getFirst().getCursor().getIndex(), "--since by the entry's time");
    }

    @Test
    void aSnapshotRestartsTheHistoryAndAResumeAcrossItIsRefused() throws InterruptedException {
        apply(1, 1, Batches.create(StoreObjects.wrap(node("n1", "h1", NodeAvailability.NODE_AVAILABILITY_ACTIVE))));
        recorded(1);
        store.restore(StoreSnapshot.newBuilder().setIndex(40)
                .addObjects(StoreObjects.wrap(service("s9", "db", 1, "busybox:1"))).build());
        apply(41, 41, Batches.update(StoreObjects.wrap(service("s9", "db", 2, "busybox:1"))));
        EventHistory h = log.history();
        assertTrue(h.await(1, 10_000));
        List<Event> after = h.read(h.oldest(), 10);
        assertEquals(1, after.size(), "only what followed the snapshot");
        assertEquals(Map.of("name", "db", "replicas.old", "1", "replicas.new", "2"), after.getFirst().getAttributesMap(),
                "names are known again from the snapshot");
        assertThrows(EventHistory.Gone.class, () -> h.after(cursor(1, 0)), "events 2..40 were never seen here");
        assertEquals(h.oldest(), h.after(cursor(40, Positions.END_OF_ENTRY)));
    }

    private static EventCursor cursor(long index, int ordinal) {
        return EventCursor.newBuilder().setIndex(index).setOrdinal(ordinal).build();
    }
}
