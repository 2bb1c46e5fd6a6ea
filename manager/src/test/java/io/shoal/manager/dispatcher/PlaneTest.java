package io.shoal.manager.dispatcher;

import io.shoal.api.Annotations;
import io.shoal.api.Endpoint;
import io.shoal.api.EndpointSpec;
import io.shoal.api.NameRecord;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.NetworkSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeStatus;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Each node's data plane, cut from what all nodes share at one store index. */
class PlaneTest {
    final ClusterStore store = new ClusterStore();
    final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));

    private void put(Object o) {
        writer.update(tx -> List.of(Batches.create(switch (o) {
            case Node n -> StoreObjects.wrap(n);
            case Network n -> StoreObjects.wrap(n);
            case Service s -> StoreObjects.wrap(s);
            case Task t -> StoreObjects.wrap(t);
            default -> throw new IllegalArgumentException(o.toString());
        })));
    }

    private static Task task(String id, String service, String node, TaskState state, String network, String address) {
        return Task.newBuilder().setId(id).setServiceId(service).setNodeId(node).setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(state))
                .addNetworks(NetworkAttachment.newBuilder().setNetworkId(network).setAddress(address + "/24")).build();
    }

    private static Service service(String id, String name, EndpointSpec.ResolutionMode mode, String vipNetwork, String vip) {
        Service.Builder b = Service.newBuilder().setId(id).setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
                .setEndpoint(EndpointSpec.newBuilder().setMode(mode)));
        if (vip != null) {
            b.setEndpoint(Endpoint.newBuilder().addVirtualIps(NetworkAttachment.newBuilder().setNetworkId(vipNetwork).setAddress(vip + "/24")));
        }
        return b.build();
    }

    private List<String> peers(Assignments.Plane p) {
        return p.peers().stream().map(x -> x.getNetworkId() + ":" + x.getAddress() + "@" + x.getHostIp()).toList();
    }

    private List<String> names(Assignments.Plane p) {
        return p.names().stream().map(NameRecord::getNetworkId).toList();
    }

    @Test
    void eachNodeGetsItsNetworksTheOtherNodesEndpointsAndTheNames() {
        for (int i = 1; i <= 3; i++) {
            put(Node.newBuilder().setId("n" + i).setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr("192.0.2." + i)).build());
        }
        put(Network.newBuilder().setId("netA").setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("a"))).build());
        put(Network.newBuilder().setId("netB").setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("b"))).build());
        put(service("s1", "web", EndpointSpec.ResolutionMode.VIP, "netA", "10.0.1.2"));
        put(service("s2", "db", EndpointSpec.ResolutionMode.DNSRR, null, null));
        put(task("t1", "s1", "n1", TaskState.TASK_STATE_RUNNING, "netA", "10.0.1.5"));
        put(task("t2", "s1", "n2", TaskState.TASK_STATE_RUNNING, "netA", "10.0.1.4"));
        put(task("t3", "s2", "n2", TaskState.TASK_STATE_ASSIGNED, "netB", "10.0.2.3")); // an endpoint, no name yet
        put(task("t4", "s2", "n3", TaskState.TASK_STATE_RUNNING, "netB", "10.0.2.9"));

        store.view(tx -> {
            Assignments.Shared shared = Assignments.Shared.of(tx);
            Assignments.Plane n1 = Assignments.plane(tx, "n1", tx.tasksOnNode("n1"), shared);
            assertEquals(List.of("netA"), n1.networks().stream().map(Network::getId).toList());
            assertEquals(List.of("netA:10.0.1.4@192.0.2.2"), peers(n1), "the other node's endpoint, not its own");
            assertEquals(List.of("web 10.0.1.2 vip", "web 10.0.1.4 t2", "web 10.0.1.5 t1"), n1.names().stream()
                    .map(r -> r.getServiceName() + " " + r.getAddress() + " " + (r.getVip() ? "vip" : r.getTaskId())).toList());

            Assignments.Plane n2 = Assignments.plane(tx, "n2", tx.tasksOnNode("n2"), shared);
            assertEquals(List.of("netA", "netB"), n2.networks().stream().map(Network::getId).toList());
            assertEquals(List.of("netA:10.0.1.5@192.0.2.1", "netB:10.0.2.9@192.0.2.3"), peers(n2), "sorted by network, then address");
            assertEquals(List.of("netA", "netA", "netA", "netB"), names(n2), "t3 is not running: no name");
            assertEquals(true, n2.names().get(3).getDnsrr());

            Assignments.Plane n3 = Assignments.plane(tx, "n3", tx.tasksOnNode("n3"), shared);
            assertEquals(List.of("netB:10.0.2.3@192.0.2.2"), peers(n3), "an assigned task's address is reachable already");

            assertEquals(Assignments.Plane.NONE, Assignments.plane(tx, "n4", List.of(), shared), "no networked task: no plane");
            assertEquals(n2, Assignments.plane(tx, "n2", tx.tasksOnNode("n2")), "the same as computed for the node alone");
            assertSame(shared.detail(tx), shared.detail(tx), "the endpoints and names are computed once per index");
            return null;
        });
    }

    @Test
    void aStackServicesShortNameTravelsWithItsNamesOnEachNetwork() {
        put(Node.newBuilder().setId("n1").setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr("192.0.2.1")).build());
        put(Network.newBuilder().setId("netA").setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("app_front"))).build());
        Service web = service("s1", "app_web", EndpointSpec.ResolutionMode.VIP, "netA", "10.0.1.2");
        put(web.toBuilder().setSpec(web.getSpec().toBuilder().setTask(TaskSpec.newBuilder()
                .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("netA").addAliases("www").addAliases("web")))).build());
        Task t = task("t1", "s1", "n1", TaskState.TASK_STATE_RUNNING, "netA", "10.0.1.5");
        put(t.toBuilder().setNetworks(0, t.getNetworks(0).toBuilder().addAliases("www").addAliases("web")).build());
        store.view(tx -> {
            Assignments.Plane n1 = Assignments.plane(tx, "n1", tx.tasksOnNode("n1"), Assignments.Shared.of(tx));
            assertEquals(List.of("app_web 10.0.1.2 [www, web]", "app_web 10.0.1.5 [www, web]"), n1.names().stream()
                    .map(r -> r.getServiceName() + " " + r.getAddress() + " " + r.getAliasesList()).toList());
            return null;
        });
    }
}
