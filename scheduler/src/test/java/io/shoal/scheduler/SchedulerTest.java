package io.shoal.scheduler;

import io.shoal.api.Endpoint;
import io.shoal.api.Node;
import io.shoal.api.Placement;
import io.shoal.api.PlacementPreference;
import io.shoal.api.PortConfig;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static io.shoal.scheduler.Fixtures.GB;
import static io.shoal.scheduler.Fixtures.constraints;
import static io.shoal.scheduler.Fixtures.down;
import static io.shoal.scheduler.Fixtures.drained;
import static io.shoal.scheduler.Fixtures.memory;
import static io.shoal.scheduler.Fixtures.node;
import static io.shoal.scheduler.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerTest {
    private final Scheduler scheduler = new Scheduler();

    private static List<Task> tasks(String service, int n, TaskSpec spec) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> task(service, i, spec)).toList();
    }

    private static Map<String, Integer> perNode(Decisions d) {
        Map<String, Integer> m = new TreeMap<>();
        d.placed().forEach(p -> m.merge(p.nodeId(), 1, Integer::sum));
        return m;
    }

    @Test
    void sixReplicasSpreadTwoTwoTwo() {
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a"), node("b"), node("c")), List.of()),
                tasks("web", 6, TaskSpec.getDefaultInstance()));
        assertEquals(Map.of("a", 2, "b", 2, "c", 2), perNode(d));
        assertEquals(List.of(), d.pending());
    }

    @Test
    void spreadCountsTasksAlreadyRunning() {
        Task running = task("web", 1).toBuilder().setNodeId("a").build();
        Task other = task("db", 1).toBuilder().setNodeId("b").build();
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a"), node("b"), node("c")), List.of(running, other)),
                List.of(task("web", 2), task("web", 3)));
        // web has a task on a: the new ones go to b and c; of those, c has no other load, so first c
        assertEquals("c", d.placed().get(0).nodeId());
        assertEquals("b", d.placed().get(1).nodeId());
    }

    @Test
    void drainedAndDownNodesAreSkippedAndExplained() {
        Decisions d = scheduler.schedule(new ClusterView(List.of(drained("a"), down("b")), List.of()), List.of(task("web", 1)));
        assertEquals(List.of(), d.placed());
        assertEquals("no suitable node (2 nodes not available for new tasks)", d.pending().get(0).reason());
    }

    @Test
    void impossibleReservationsStayPendingWithTheReason() {
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a"), node("b"), node("c"), drained("d")), List.of()),
                List.of(task("big", 1, memory(64 * GB))));
        assertEquals("no suitable node (1 node not available for new tasks; insufficient memory on 3 nodes)",
                d.pending().get(0).reason());
    }

    @Test
    void reservationsNeverExceedCapacityWithinOnePass() {
        // 8 GiB nodes, 3 GiB tasks: two per node fit, a third would not
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a"), node("b")), List.of()), tasks("m", 5, memory(3 * GB)));
        assertEquals(Map.of("a", 2, "b", 2), perNode(d));
        assertEquals(1, d.pending().size());
        assertTrue(d.pending().get(0).reason().contains("insufficient memory on 2 nodes"));
    }

    @Test
    void labelConstraintsPinTasks() {
        List<Node> nodes = List.of(node("a", Map.of("zone", "x")), node("b", Map.of("zone", "y")), node("c"));
        Decisions d = scheduler.schedule(new ClusterView(nodes, List.of()), tasks("web", 3, constraints("node.labels.zone==y")));
        assertEquals(Map.of("b", 3), perNode(d));
        Decisions none = scheduler.schedule(new ClusterView(nodes, List.of()), tasks("web", 1, constraints("node.labels.zone==z")));
        assertEquals("no suitable node (scheduling constraints not satisfied on 3 nodes)", none.pending().get(0).reason());
        Decisions not = scheduler.schedule(new ClusterView(nodes, List.of()), tasks("web", 2, constraints("node.hostname!=host-a", "node.role==worker")));
        assertEquals(Map.of("b", 1, "c", 1), perNode(not));
    }

    @Test
    void placementPreferencesSpreadOverLabelValuesFirst() {
        // zone x has three nodes, zone y one: spreading over zones puts half the tasks on the lone y node
        List<Node> nodes = List.of(node("a", Map.of("zone", "x")), node("b", Map.of("zone", "x")),
                node("c", Map.of("zone", "x")), node("d", Map.of("zone", "y")));
        TaskSpec spec = TaskSpec.newBuilder().setPlacement(Placement.newBuilder()
                .addPreferences(PlacementPreference.newBuilder().setSpreadDescriptor("node.labels.zone"))).build();
        Decisions d = scheduler.schedule(new ClusterView(nodes, List.of()), tasks("web", 6, spec));
        Map<String, Integer> m = perNode(d);
        assertEquals(3, m.get("d"));
        assertEquals(3, m.get("a") + m.get("b") + m.get("c"));
        assertEquals(Map.of("a", 1, "b", 1, "c", 1, "d", 3), m);
    }

    @Test
    void maxReplicasPerNode() {
        TaskSpec spec = TaskSpec.newBuilder().setPlacement(Placement.newBuilder().setMaxReplicas(1)).build();
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a"), node("b")), List.of()), tasks("web", 3, spec));
        assertEquals(Map.of("a", 1, "b", 1), perNode(d));
        assertEquals("no suitable node (max replicas per node limit exceeded on 2 nodes)", d.pending().get(0).reason());
    }

    @Test
    void hostPortsAreExclusivePerNode() {
        Task t = task("web", 1).toBuilder().setEndpoint(Endpoint.newBuilder().addPorts(PortConfig.newBuilder()
                .setPublishMode(PortConfig.PublishMode.HOST).setPublishedPort(8080).setTargetPort(80))).build();
        List<Task> three = List.of(t, t.toBuilder().setId("web.2").setSlot(2).build(), t.toBuilder().setId("web.3").setSlot(3).build());
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a"), node("b")), List.of()), three);
        assertEquals(Map.of("a", 1, "b", 1), perNode(d));
        assertEquals("no suitable node (host-mode port already in use on 2 nodes)", d.pending().get(0).reason());
    }

    @Test
    void binpackFillsTheFullestNodeThatFits() {
        Task existing = task("other", 1, memory(4 * GB)).toBuilder().setNodeId("b").build();
        Decisions d = new Scheduler(Scheduler.Strategy.BINPACK).schedule(
                new ClusterView(List.of(node("a"), node("b")), List.of(existing)), List.of(task("m", 1, memory(GB))));
        assertEquals("b", d.placed().get(0).nodeId());
    }

    @Test
    void aBadConstraintLeavesTheTaskPendingWithTheParseError() {
        Decisions d = scheduler.schedule(new ClusterView(List.of(node("a")), List.of()), tasks("web", 1, constraints("node.labels.zone=a")));
        assertEquals("constraint 'node.labels.zone=a': expected KEY==VALUE or KEY!=VALUE", d.pending().get(0).reason());
    }

    @Test
    void decisionsAreDeterministic() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            nodes.add(node("n" + i, Map.of("zone", "z" + (i % 3))));
        }
        List<Task> pending = tasks("web", 50, TaskSpec.getDefaultInstance());
        Decisions one = scheduler.schedule(new ClusterView(nodes, List.of()), pending);
        Collections.reverse(nodes);
        Decisions two = scheduler.schedule(new ClusterView(nodes, List.of()), pending);
        assertEquals(one, two);
        Map<String, Integer> counts = new HashMap<>(perNode(one));
        assertTrue(counts.values().stream().allMatch(c -> c == 2 || c == 3), counts.toString());
    }

    @Test
    void constraintParsingNamesWhatIsWrong() {
        assertEquals(new Constraint("node.labels.zone", true, "a"), Constraint.parse("node.labels.zone==a"));
        assertEquals(new Constraint("node.role", false, "manager"), Constraint.parse(" node.role != manager "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Constraint.parse("zone==a")).getMessage()
                .contains("unknown key zone"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Constraint.parse("node.role==boss")).getMessage()
                .contains("manager or worker"));
        assertThrows(IllegalArgumentException.class, () -> Constraint.parse("node.labels.==a"));
        assertThrows(IllegalArgumentException.class, () -> Constraint.parse("node.id==a==b"));
        assertThrows(IllegalArgumentException.class, () -> Constraint.parse("node.id=="));
    }
}
