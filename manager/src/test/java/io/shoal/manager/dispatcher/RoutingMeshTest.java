package io.shoal.manager.dispatcher;

import io.shoal.api.Annotations;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Endpoint;
import io.shoal.api.EndpointSpec;
import io.shoal.api.IngressPort;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.Node;
import io.shoal.api.NodeStatus;
import io.shoal.api.PortConfig;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.manager.network.Ingress;
import io.shoal.manager.network.NetworkAllocator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The routing mesh in the store and on the wire: every node gets its own ingress address; once a
 * service publishes an ingress port, every node's assignments carry the ingress network, the port
 * and the ingress addresses of the service's running tasks, even a node that runs none of them.
 */
class RoutingMeshTest {
    final ClusterStore store = new ClusterStore();
    final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));

    private void node(String id, String addr) {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(id)
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY).setAddr(addr)).build()))));
    }

    private void allocate() {
        writer.update(tx -> new NetworkAllocator().reconcile(tx, 1000));
    }

    @Test
    void everyNodeJoinsTheMeshOnceAPortIsPublished() {
        node("n1", "192.0.2.1");
        node("n2", "192.0.2.2");
        writer.update(Ingress::create);
        Network ingress = store.view(Ingress::find).orElseThrow();
        allocate();
        // no port published: no node spends an address, and a node with no task has no plane at all
        assertEquals(0, store.view(tx -> tx.node("n1")).orElseThrow().getAttachmentsCount());
        assertEquals(Assignments.Plane.NONE, store.view(tx -> Assignments.plane(tx, "n2", List.of())));
        assertEquals("10.255.0.0/16", ingress.getIpam(0).getSubnet(), "room for every node and publishing task");

        PortConfig p = PortConfig.newBuilder().setPublishedPort(8080).setTargetPort(80).build();
        ServiceSpec spec = Ingress.attach(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("web"))
                .setEndpoint(EndpointSpec.newBuilder().addPorts(p)).build(), ingress.getId());
        assertEquals(ingress.getId(), spec.getTask().getNetworks(0).getTarget(), "a publishing service is on the ingress network");
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Service.newBuilder().setId("s1").setSpec(spec)
                .setEndpoint(Endpoint.newBuilder().addPorts(p)).build()))));
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Task.newBuilder().setId("t1").setServiceId("s1").setNodeId("n1")
                .setSpec(spec.getTask()).setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_RUNNING))
                .addNetworks(NetworkAttachment.newBuilder().setNetworkId(ingress.getId()).setAddress("10.255.0.9/16")).build()))));
        allocate();
        assertEquals(0, store.view(tx -> tx.service("s1")).orElseThrow().getEndpoint().getVirtualIpsCount(), "no VIP on ingress");
        String n1Addr = store.view(tx -> tx.node("n1")).orElseThrow().getAttachments(0).getAddress();
        String n2Addr = store.view(tx -> tx.node("n2")).orElseThrow().getAttachments(0).getAddress();
        assertNotEquals(n1Addr, n2Addr);
        assertTrue(n1Addr.startsWith("10.255.") && n1Addr.endsWith("/16"), n1Addr);

        Assignments.Plane plane = store.view(tx -> Assignments.plane(tx, "n2", List.of()));
        AssignmentsMessage m = plane.into(AssignmentsMessage.newBuilder()).build();
        assertEquals(List.of(ingress.getId()), m.getNetworksList().stream().map(Network::getId).toList());
        assertEquals(n2Addr, m.getIngressAddress());
        assertEquals(List.of(IngressPort.newBuilder().setPublishedPort(8080).setTargetPort(80).setServiceId("s1")
                .addBackends("10.255.0.9").build()), m.getIngressPortsList());
        // the task's address and n1's own address are reached through n1's tunnel end
        assertEquals(List.of("10.255.0.9@192.0.2.1", n1Addr.replaceAll("/.*", "") + "@192.0.2.1").stream().sorted().toList(),
                m.getPeersList().stream().map(x -> x.getAddress() + "@" + x.getHostIp()).sorted().toList());
        assertEquals(0, m.getNamesCount(), "no names on the ingress network");
        assertEquals(0, m.getVxlanPort(), "no cluster object here: the worker's default");
    }
}
