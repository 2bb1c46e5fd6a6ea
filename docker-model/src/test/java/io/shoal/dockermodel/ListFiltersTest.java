package io.shoal.dockermodel;

import io.shoal.api.Annotations;
import io.shoal.api.GlobalService;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeSpec;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The command line's --filter KEY=VALUE and what docker's listings keep for each key. */
class ListFiltersTest {
    private static Service service(String id, String name, boolean global, String... labels) {
        ServiceSpec.Builder s = ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name));
        for (String l : labels) {
            String[] kv = l.split("=", 2);
            s.getAnnotationsBuilder().putLabels(kv[0], kv.length > 1 ? kv[1] : "");
        }
        if (global) {
            s.setGlobal(GlobalService.getDefaultInstance());
        } else {
            s.setReplicated(ReplicatedService.newBuilder().setReplicas(1));
        }
        return Service.newBuilder().setId(id).setSpec(s).build();
    }

    private static final List<Service> SERVICES = List.of(service("aaa111", "web", false, "tier=front"),
            service("aab222", "webhook", true, "tier=back", "team"), service("bbb333", "db", false));

    private static List<String> services(String... filters) {
        Filters f = ListFilters.services(Filters.args(List.of(filters), ListFilters.SERVICE_KEYS));
        return SERVICES.stream().filter(s -> ListFilters.matches(f, s)).map(s -> s.getSpec().getAnnotations().getName()).toList();
    }

    @Test
    void serviceNamesAndIdsMatchByPrefixModesExactlyLabelsByKeyOrValue() {
        assertEquals(List.of("web", "webhook", "db"), services());
        assertEquals(List.of("web", "webhook"), services("name=web"));
        assertEquals(List.of("web", "webhook", "db"), services("name=we", "name=db"), "values of one key: any");
        assertEquals(List.of("web", "webhook"), services("id=aa"));
        assertEquals(List.of("webhook"), services("id=aa", "mode=global"), "different keys: all");
        assertEquals(List.of("web", "webhook"), services("label=tier"));
        assertEquals(List.of("webhook"), services("label=tier=back"));
        assertEquals(List.of("webhook"), services("label=tier", "label=team"), "every label must hold");
        assertEquals(List.of(), services("mode=replicated-job"));
    }

    @Test
    void anUnknownKeyOrAValueWithoutKeyIsOneLineNamingTheKeys() {
        InvalidSpec e = assertThrows(InvalidSpec.class, () -> services("colour=red"));
        assertEquals("invalid filter 'colour' (use id, label, mode, name)", e.getMessage());
        assertEquals("bad format of filter 'web' (expected name=value)", assertThrows(InvalidSpec.class, () -> services("web")).getMessage());
    }

    private static Node node(String id, String host, NodeRole role, String label) {
        return Node.newBuilder().setId(id).setDescription(NodeDescription.newBuilder().setHostname(host).putEngineLabels("disk", "ssd"))
                .setSpec(NodeSpec.newBuilder().setDesiredRole(role).setAnnotations(Annotations.newBuilder().putLabels("zone", label)))
                .build();
    }

    @Test
    void nodesByRoleNameMembershipAndBothKindsOfLabels() {
        List<Node> nodes = List.of(node("n1", "h1", NodeRole.NODE_ROLE_MANAGER, "a"), node("n2", "h2", NodeRole.NODE_ROLE_WORKER, "b"));
        Predicate<String[]> none = x -> true;
        java.util.function.Function<String[], List<String>> ls = args -> {
            Filters f = ListFilters.nodes(Filters.args(List.of(args), ListFilters.NODE_KEYS));
            return nodes.stream().filter(n -> ListFilters.matches(f, n)).map(Node::getId).toList();
        };
        assertEquals(List.of("n1"), ls.apply(new String[] {"role=manager"}));
        assertEquals(List.of("n2"), ls.apply(new String[] {"node.label=zone=b"}));
        assertEquals(List.of("n1", "n2"), ls.apply(new String[] {"label=disk=ssd", "membership=accepted"}));
        assertEquals(List.of(), ls.apply(new String[] {"membership=pending"}));
        assertEquals(List.of("n2"), ls.apply(new String[] {"name=h2"}));
        assertEquals("invalid role filter 'boss' (use manager, worker)",
                assertThrows(InvalidSpec.class, () -> ls.apply(new String[] {"role=boss"})).getMessage());
        assertEquals(true, none.test(null));
    }

    @Test
    void tasksByNameNodeServiceAndDesiredState() {
        Task running = Task.newBuilder().setId("t1").setServiceId("aaa111").setNodeId("n1").setDesiredState(TaskState.TASK_STATE_RUNNING).build();
        Task old = running.toBuilder().setId("t2").setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build();
        Task pending = running.toBuilder().setId("t3").setNodeId("").build();
        java.util.function.Function<String[], List<String>> ps = args -> {
            Filters f = ListFilters.tasks(Filters.args(List.of(args), ListFilters.TASK_KEYS));
            return Stream.of(running, old, pending).filter(t -> ListFilters.matches(f, t, "web.1", "web", t.getNodeId().isEmpty() ? "" : "h1"))
                    .map(Task::getId).toList();
        };
        assertEquals(List.of("t1", "t3"), ps.apply(new String[] {"desired-state=running"}));
        assertEquals(List.of("t2"), ps.apply(new String[] {"desired-state=Shutdown"}));
        assertEquals(List.of("t1", "t2"), ps.apply(new String[] {"node=h1"}), "an unplaced task is on no node");
        assertEquals(List.of("t1", "t2"), ps.apply(new String[] {"node=n"}));
        assertEquals(List.of("t1", "t2", "t3"), ps.apply(new String[] {"name=web.1", "service=web"}));
        assertEquals(List.of(), ps.apply(new String[] {"name=web.2"}));
        assertEquals("invalid desired-state filter 'sleeping' (use accepted, complete, ready, remove, running, shutdown)",
                assertThrows(InvalidSpec.class, () -> ps.apply(new String[] {"desired-state=sleeping"})).getMessage());
    }
}
