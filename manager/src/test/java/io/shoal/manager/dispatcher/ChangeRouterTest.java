package io.shoal.manager.dispatcher;

import io.shoal.api.Cluster;
import io.shoal.api.Endpoint;
import io.shoal.api.JoinTokens;
import io.shoal.api.Meta;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.RootCA;
import io.shoal.api.RootRotation;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which streams a store change wakes: read off the change alone. */
class ChangeRouterTest {
    private static StoreEvent update(Object before, Object after) {
        return new StoreEvent(StoreEvent.Type.UPDATE, 7, wrap(before), wrap(after));
    }

    private static StoreObject wrap(Object o) {
        return switch (o) {
            case null -> null;
            case Task t -> StoreObjects.wrap(t);
            case Node n -> StoreObjects.wrap(n);
            case Service s -> StoreObjects.wrap(s);
            case Cluster c -> StoreObjects.wrap(c);
            case io.shoal.api.Network n -> StoreObjects.wrap(n);
            default -> throw new IllegalArgumentException(o.toString());
        };
    }

    private static Task task(String node, TaskState state) {
        return Task.newBuilder().setId("t1").setNodeId(node).setMeta(Meta.newBuilder().setVersion(3)).setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    private static Node node(String id, NodeRole role, NodeStatus.State state) {
        return Node.newBuilder().setId(id).setRole(role).setAdvertiseAddr("10.0.0.1:4242")
                .setStatus(NodeStatus.newBuilder().setState(state).setAddr("10.0.0.1")).build();
    }

    @Test
    void aTaskMovedBetweenNodesWakesBothNodesAssignmentsOnly() {
        ChangeRouter.Wake w = ChangeRouter.route(update(task("n1", TaskState.TASK_STATE_ASSIGNED), task("n2", TaskState.TASK_STATE_ASSIGNED)));
        assertEquals(Set.of("n1", "n2"), w.tasksOf());
        assertFalse(w.allTasks());
        assertEquals(Set.of(), w.sessionsOf());
        assertFalse(w.allSessions() || w.settings() || w.managers());
    }

    @Test
    void aBurstWakesEveryStreamItsChangesConcernOnceAndEveryNodeThatTurnedReady() {
        StoreEvent moved = update(task("n1", TaskState.TASK_STATE_ASSIGNED), task("n2", TaskState.TASK_STATE_ASSIGNED));
        StoreEvent created = update(null, task("n3", TaskState.TASK_STATE_ASSIGNED));
        StoreEvent ready4 = update(node("n4", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.DOWN), node("n4", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY));
        StoreEvent ready5 = update(node("n5", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.DOWN), node("n5", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY));
        ChangeRouter.Wake w = ChangeRouter.route(List.of(moved, created, ready4, ready5, moved));
        assertEquals(Set.of("n1", "n2", "n3"), w.tasksOf());
        assertEquals(Set.of("n4", "n5"), w.sessionsOf());
        assertEquals(Set.of("n4", "n5"), w.turnedReady());
        assertFalse(w.allTasks() || w.allSessions() || w.settings() || w.managers());
        assertEquals(ChangeRouter.route(moved), ChangeRouter.route(List.of(moved)), "a burst of one is its change");

        StoreEvent reset = new StoreEvent(StoreEvent.Type.RESET, 9, null, null);
        ChangeRouter.Wake all = ChangeRouter.route(List.of(moved, reset, ready4));
        assertTrue(all.allTasks() && all.allSessions() && all.settings() && all.managers());
        assertEquals(Set.of(), all.tasksOf(), "every stream is woken: no list of some");
        assertEquals(Set.of("n4"), all.turnedReady(), "a node turning Ready is still told to liveness");
    }

    @Test
    void aWorkersOwnReportWakesNothingButANetworkedTaskWakesEveryNode() {
        Task assigned = task("n1", TaskState.TASK_STATE_ASSIGNED);
        Task running = task("n1", TaskState.TASK_STATE_RUNNING);
        assertEquals(ChangeRouter.Wake.NONE, ChangeRouter.route(new StoreEvent(StoreEvent.Type.UPDATE, 7, wrap(assigned), wrap(running), true)));
        assertEquals(ChangeRouter.Wake.NONE, ChangeRouter.route(update(assigned, running)), "the same told apart by comparing");
        Task networked = running.toBuilder().addNetworks(NetworkAttachment.newBuilder().setNetworkId("net1")).build();
        assertTrue(ChangeRouter.route(update(assigned, networked)).allTasks(), "its endpoint is every peer's business");
    }

    @Test
    void aNetworksKeysChangingWakesEveryNodesAssignmentsAndNothingElseDoes() {
        io.shoal.api.Network one = io.shoal.api.Network.newBuilder().setId("net1")
                .addKeys(io.shoal.api.NetworkKey.newBuilder().setId(5).setPrimary(true)).build();
        io.shoal.api.Network two = one.toBuilder().addKeys(io.shoal.api.NetworkKey.newBuilder().setId(6)).build();
        ChangeRouter.Wake w = ChangeRouter.route(update(one, two));
        assertTrue(w.allTasks(), "every node on it gets the new key with its next message");
        assertFalse(w.allSessions() || w.settings() || w.managers());
        io.shoal.api.Network released = one.toBuilder().addReleased(io.shoal.api.ReleasedAddress.newBuilder().setAddress("10.0.1.9")).build();
        assertEquals(ChangeRouter.Wake.NONE, ChangeRouter.route(update(one, released)), "a released address is no node's business");
    }

    @Test
    void aNodeTurningReadyIsNamedAndWakesItsOwnSession() {
        ChangeRouter.Wake w = ChangeRouter.route(update(node("n1", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.DOWN),
                node("n1", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY)));
        assertEquals(Set.of("n1"), w.turnedReady());
        assertEquals(Set.of("n1"), w.sessionsOf());
        assertFalse(w.allSessions() || w.managers() || w.settings() || w.allTasks());
        assertEquals(Set.of(), ChangeRouter.route(update(node("n1", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY),
                node("n1", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY))).turnedReady(), "Ready already");
    }

    @Test
    void aManagerJoiningChangesTheManagerListAndTheFleetsSize() {
        ChangeRouter.Wake w = ChangeRouter.route(new StoreEvent(StoreEvent.Type.CREATE, 7, null,
                wrap(node("m2", NodeRole.NODE_ROLE_MANAGER, NodeStatus.State.UNKNOWN))));
        assertTrue(w.managers() && w.allSessions() && w.settings());
        ChangeRouter.Wake worker = ChangeRouter.route(new StoreEvent(StoreEvent.Type.CREATE, 7, null,
                wrap(node("w9", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.UNKNOWN))));
        assertTrue(worker.settings(), "a worker joining changes the fleet's size");
        assertFalse(worker.managers() || worker.allSessions());
        ChangeRouter.Wake promoted = ChangeRouter.route(update(node("w9", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY),
                node("w9", NodeRole.NODE_ROLE_MANAGER, NodeStatus.State.READY)));
        assertTrue(promoted.managers() && promoted.allSessions());
        assertFalse(promoted.settings());
    }

    @Test
    void aNodesIngressAddressWakesEveryNodesAssignments() {
        Node before = node("n1", NodeRole.NODE_ROLE_WORKER, NodeStatus.State.READY);
        Node after = before.toBuilder().addAttachments(NetworkAttachment.newBuilder().setNetworkId("ingress").setAddress("10.255.0.2/16")).build();
        assertTrue(ChangeRouter.route(update(before, after)).allTasks());
        assertFalse(ChangeRouter.route(update(before, before.toBuilder().setDescription(NodeDescription.newBuilder().setHostname("h1")).build())).allTasks());
    }

    @Test
    void servicesMatterOnlyWithVipsOrPublishedPorts() {
        Service plain = Service.newBuilder().setId("s1").build();
        Service vip = plain.toBuilder().setEndpoint(Endpoint.newBuilder().addVirtualIps(NetworkAttachment.newBuilder()
                .setNetworkId("net1").setAddress("10.0.0.2/24"))).build();
        assertEquals(ChangeRouter.Wake.NONE, ChangeRouter.route(update(plain, plain)));
        assertTrue(ChangeRouter.route(update(plain, vip)).allTasks());
    }

    @Test
    void theClusterObjectMayChangeThePeriodAndAResetChangesEverything() {
        ChangeRouter.Wake w = ChangeRouter.route(update(Cluster.newBuilder().setId("c").build(), Cluster.newBuilder().setId("c").build()));
        assertTrue(w.settings());
        assertFalse(w.allSessions() || w.allTasks());
        assertEquals(ChangeRouter.Wake.EVERYTHING, ChangeRouter.route(new StoreEvent(StoreEvent.Type.RESET, 9, null, null)));
    }

    @Test
    void aRootRotationStartingOrEndingWakesEverySessionAndATokenRotationNone() {
        Cluster before = Cluster.newBuilder().setId("c").setRootCa(RootCA.newBuilder().setCaDigest("old")).build();
        Cluster rotating = before.toBuilder().setRootCa(before.getRootCa().toBuilder()
                .setRotation(RootRotation.newBuilder().setCaDigest("new"))).build();
        Cluster done = before.toBuilder().setRootCa(RootCA.newBuilder().setCaDigest("new")).build();
        Cluster tokens = before.toBuilder().setRootCa(before.getRootCa().toBuilder()
                .setJoinTokens(JoinTokens.newBuilder().setWorker("w"))).build();
        assertTrue(ChangeRouter.route(update(before, rotating)).allSessions());
        assertTrue(ChangeRouter.route(update(rotating, done)).allSessions());
        assertFalse(ChangeRouter.route(update(before, tokens)).allSessions());
    }
}
