package io.shoal.worker.net;

import io.shoal.api.IPAMConfig;
import io.shoal.api.IngressPort;
import io.shoal.api.NameRecord;
import io.shoal.api.Network;
import io.shoal.api.NetworkPeer;
import io.shoal.api.NetworkSpec;
import io.shoal.api.PortConfig;
import io.shoal.net.dns.ServiceEntry;
import io.shoal.net.nft.MeshTables;
import io.shoal.net.nft.VipService;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.OverlayNetwork;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The overlay's desired state from what the managers sent and what runs here: values in, values out. */
class OverlayPlanTest {
    static final Network FRONT = network("front", 4100, "10.1.0.0/24", "10.1.0.1", false);
    static final Network BACK = network("back", 4101, "10.2.0.0/24", "10.2.0.1", true);
    static final Network INGRESS = FRONT.toBuilder().setId("ingress").setVni(4096)
            .setSpec(NetworkSpec.newBuilder().setIngress(true))
            .setIpam(0, IPAMConfig.newBuilder().setSubnet("10.255.0.0/16").setGateway("10.255.0.1")).build();

    static Network network(String id, int vni, String subnet, String gateway, boolean internal) {
        return Network.newBuilder().setId(id).setVni(vni).setSpec(NetworkSpec.newBuilder().setInternal(internal))
                .addIpam(IPAMConfig.newBuilder().setSubnet(subnet).setGateway(gateway)).build();
    }

    static NameRecord vip(String net, String service, String addr) {
        return NameRecord.newBuilder().setNetworkId(net).setServiceName(service).setAddress(addr).setVip(true).build();
    }

    static NameRecord task(String net, String service, String taskId, long slot, String addr) {
        return NameRecord.newBuilder().setNetworkId(net).setServiceName(service).setTaskId(taskId).setSlot(slot).setAddress(addr).build();
    }

    private static OverlayPlan.Desired desired(List<Network> nets, List<NameRecord> names, Map<String, List<LocalEndpoint>> locals) {
        return new OverlayPlan.Desired(nets, List.of(NetworkPeer.newBuilder().setNetworkId("front").setAddress("10.1.0.9")
                .setHostIp("192.168.0.2").build()), names, List.of(), "", locals, Map.of());
    }

    @Test
    void theKernelPlanPlugsOnlyEndpointsOfListedNetworksAndReachesEveryRemote() {
        Map<String, List<LocalEndpoint>> locals = new LinkedHashMap<>();
        locals.put("t1", List.of(new LocalEndpoint("front", "ctr1", "10.1.0.2", null, "eth0"),
                new LocalEndpoint("gone", "ctr1", "10.9.0.2", null, "eth1")));
        OverlayPlan p = OverlayPlan.of(desired(List.of(FRONT, BACK), List.of(), locals));
        assertEquals(List.of(new OverlayNetwork("front", 4100, "10.1.0.0/24", "10.1.0.1", false, 0, null),
                new OverlayNetwork("back", 4101, "10.2.0.0/24", "10.2.0.1", true, 0, null)), p.host().networks());
        assertEquals(List.of("10.1.0.2"), p.host().locals().stream().map(LocalEndpoint::ip).toList(),
                "the endpoint on a network the managers no longer list is not plugged");
        assertEquals(1, p.host().remotes().size());
        assertEquals("192.168.0.2", p.host().remotes().get(0).hostIp());
        assertEquals(List.of("front", "back"), p.resolved().stream().map(OverlayNetwork::id).toList());
        assertEquals("", p.meshHost());
        assertNull(p.ingressId());
    }

    @Test
    void namesAreTheVipOrTheTasksPerServiceAndContainersAskTheirOwnNetworkFirst() throws Exception {
        Map<String, List<LocalEndpoint>> locals = new LinkedHashMap<>();
        locals.put("t1", List.of(new LocalEndpoint("front", "ctr1", "10.1.0.2", null, "eth0"),
                new LocalEndpoint("back", "ctr1", "10.2.0.2", null, "eth1")));
        List<NameRecord> names = List.of(vip("front", "web", "10.1.0.100"), task("front", "web", "t1", 1, "10.1.0.2"),
                task("front", "web", "t2", 2, "10.1.0.3"),
                task("back", "db", "t9", 1, "10.2.0.5").toBuilder().setDnsrr(true).build());
        OverlayPlan p = OverlayPlan.of(desired(List.of(FRONT, BACK), names, locals));
        ServiceEntry web = p.names().get("front").get("web");
        assertEquals(InetAddress.getByName("10.1.0.100"), web.vip());
        assertEquals(2, web.tasks().size());
        ServiceEntry db = p.names().get("back").get("db");
        assertNull(db.vip(), "dnsrr: the tasks' addresses");
        assertEquals(Map.of(), p.names().getOrDefault("nowhere", Map.of()));
        assertEquals(List.of("front", "back"), p.askers().get(InetAddress.getByName("10.1.0.2")));
        assertEquals(List.of("back", "front"), p.askers().get(InetAddress.getByName("10.2.0.2")));
        assertEquals(Map.of("ctr1", List.of(VipService.allPorts("front/web", "10.1.0.100", List.of("10.1.0.2", "10.1.0.3")))),
                p.vips(), "the VIP of the container's network, to the running tasks; none for dnsrr");
    }

    @Test
    void publishedPortsMakeTheMeshTablesOnlyOnTheIngressNetwork() {
        IngressPort http = IngressPort.newBuilder().setProtocol(PortConfig.Protocol.TCP).setPublishedPort(8080)
                .setTargetPort(80).addBackends("10.255.0.5").build();
        Map<String, List<MeshTables.PortMap>> hostPorts = Map.of("t3", List.of(new MeshTables.PortMap("tcp", 9000, 90, List.of("10.255.0.7"))));
        OverlayPlan without = OverlayPlan.of(new OverlayPlan.Desired(List.of(FRONT), List.of(), List.of(), List.of(http), "",
                Map.of(), Map.of()));
        assertEquals("", without.meshHost(), "not on the ingress network: no ingress ports here");
        OverlayPlan with = OverlayPlan.of(new OverlayPlan.Desired(List.of(FRONT, INGRESS), List.of(), List.of(), List.of(http),
                "10.255.0.2/16", Map.of(), hostPorts));
        assertEquals("ingress", with.ingressId());
        assertEquals("10.255.0.2", with.host().networks().get(1).nodeAddress(), "the node's own address on the ingress network");
        assertTrue(with.meshHost().contains("8080") && with.meshHost().contains("9000"), with.meshHost());
        assertTrue(with.meshSandbox().contains("10.255.0.5"), with.meshSandbox());
        assertEquals(List.of("front"), with.resolved().stream().map(OverlayNetwork::id).toList(), "no resolver on ingress");
    }

    @Test
    void anEncryptedNetworkGoesThroughTheRelayWithItsKeys() {
        byte[] key = new byte[32];
        key[0] = 1;
        Network enc = FRONT.toBuilder().setSpec(NetworkSpec.newBuilder().setEncrypted(true))
                .addKeys(io.shoal.api.NetworkKey.newBuilder().setId(9).setPrimary(true)
                        .setKey(com.google.protobuf.ByteString.copyFrom(key))).build();
        OverlayPlan.Desired d = desired(List.of(enc, BACK), List.of(),
                Map.of("t1", List.of(new LocalEndpoint("front", "ctr1", "10.1.0.2", null, "eth0"))));
        assertTrue(OverlayPlan.encrypted(d));
        assertEquals(java.util.Set.of("192.168.0.2"), OverlayPlan.relayPeers(d), "the host of the remote endpoint");
        var ring = OverlayPlan.keys(d.networks());
        assertEquals(9, ring.sealing(4100).id(), "the primary key seals the network's VNI");
        assertNull(ring.sealing(4101), "the plain network has none");
        OverlayPlan p = OverlayPlan.of(d, Map.of("192.168.0.2", 40001));
        assertEquals(Map.of("192.168.0.2", 40001), p.host().relayPorts());
        assertTrue(p.host().networks().get(0).encrypted());
        assertTrue(!p.host().networks().get(1).encrypted());
        assertTrue(!OverlayPlan.encrypted(desired(List.of(FRONT), List.of(), Map.of())));
        assertTrue(!OverlayPlan.encrypted(desired(List.of(enc), List.of(), Map.of())), "no container here on it: no relay");
    }
}
