package io.shoal.manager.network;

import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.Endpoint;
import io.shoal.api.EndpointSpec;
import io.shoal.api.PortConfig;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Published ports are checked and allocated against the store: no port is held twice. */
class PublishedPortsTest {
    final ClusterStore store = new ClusterStore();
    final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));

    static PortConfig port(int published, int target, PortConfig.PublishMode mode) {
        return PortConfig.newBuilder().setPublishedPort(published).setTargetPort(target).setPublishMode(mode).build();
    }

    static EndpointSpec spec(PortConfig... ports) {
        return EndpointSpec.newBuilder().addAllPorts(List.of(ports)).build();
    }

    @BeforeEach
    void webHoldsPorts() {
        EndpointSpec e = spec(port(8080, 80, PortConfig.PublishMode.INGRESS), port(9090, 80, PortConfig.PublishMode.HOST));
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Service.newBuilder().setId("s1")
                .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("web")).setEndpoint(e))
                .setEndpoint(Endpoint.newBuilder().setSpec(e).addAllPorts(e.getPortsList())).build()))));
    }

    private List<PortConfig> allocate(EndpointSpec spec, List<PortConfig> current) {
        return store.view(tx -> PublishedPorts.allocate(tx, "s2", spec, current));
    }

    @Test
    void aPortAnotherServiceHoldsIsRefusedWithItsName() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> allocate(spec(port(8080, 80, PortConfig.PublishMode.INGRESS)), List.of()));
        assertEquals("publish: port 8080/tcp is already in use by service web", e.getStatus().getDescription());
        // an ingress port is taken on every node, so a host-mode port of another service blocks it too
        e = assertThrows(StatusRuntimeException.class, () -> allocate(spec(port(9090, 80, PortConfig.PublishMode.INGRESS)), List.of()));
        assertTrue(e.getStatus().getDescription().contains("9090/tcp"), e.getStatus().getDescription());
        e = assertThrows(StatusRuntimeException.class, () -> allocate(spec(port(8080, 80, PortConfig.PublishMode.HOST)), List.of()));
        assertTrue(e.getStatus().getDescription().contains("service web"), e.getStatus().getDescription());
        // host-mode ports may be shared: the scheduler keeps two such tasks off one node
        assertEquals(List.of(port(9090, 80, PortConfig.PublishMode.HOST)), allocate(spec(port(9090, 80, PortConfig.PublishMode.HOST)), List.of()));
        // the same number over udp is another port
        PortConfig udp = port(8080, 53, PortConfig.PublishMode.INGRESS).toBuilder().setProtocol(PortConfig.Protocol.UDP).build();
        assertEquals(List.of(udp), allocate(spec(udp), List.of()));
    }

    @Test
    void unpublishedIngressPortsGetFreeOnesAndKeepThemAcrossUpdates() {
        List<PortConfig> first = allocate(spec(port(0, 80, PortConfig.PublishMode.INGRESS), port(0, 81, PortConfig.PublishMode.INGRESS)), List.of());
        assertEquals(List.of(PublishedPorts.DYNAMIC_FIRST, PublishedPorts.DYNAMIC_FIRST + 1), first.stream().map(PortConfig::getPublishedPort).toList());
        // an update that keeps target 81 and drops 80 keeps 81's port
        List<PortConfig> second = allocate(spec(port(0, 81, PortConfig.PublishMode.INGRESS)), first);
        assertEquals(PublishedPorts.DYNAMIC_FIRST + 1, second.getFirst().getPublishedPort());
    }

    @Test
    void badPortsAreRefusedNamingTheField() {
        assertEquals("publish: a host-mode port needs published=PORT (target 80)", assertThrows(StatusRuntimeException.class,
                () -> PublishedPorts.validate(spec(port(0, 80, PortConfig.PublishMode.HOST)))).getStatus().getDescription());
        assertEquals("publish: port 80/tcp is published twice", assertThrows(StatusRuntimeException.class,
                () -> PublishedPorts.validate(spec(port(80, 1, PortConfig.PublishMode.INGRESS), port(80, 2, PortConfig.PublishMode.INGRESS))))
                .getStatus().getDescription());
        assertTrue(assertThrows(StatusRuntimeException.class, () -> PublishedPorts.validate(spec(port(80, 0, PortConfig.PublishMode.INGRESS))))
                .getStatus().getDescription().startsWith("publish: target port 0"));
        assertTrue(assertThrows(StatusRuntimeException.class, () -> PublishedPorts.validate(spec(port(80, 8, PortConfig.PublishMode.INGRESS))
                .toBuilder().setMode(EndpointSpec.ResolutionMode.DNSRR).build())).getStatus().getDescription().contains("dnsrr"));
    }
}
