package io.shoal.worker.net;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.IngressPort;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.PortConfig;
import io.shoal.api.Task;
import io.shoal.net.dns.ServiceRecords;
import io.shoal.net.sys.Shell;
import io.shoal.worker.exec.ExecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The step that applies the overlay's plan, on a fake shell that keeps the namespaces it is asked to
 * make (and answers nothing else) and a fake host that records resolvers and the sysctl: what
 * the plane asks of the kernel, when it asks, and what the resolvers are told.
 */
class OverlayPlaneTest {
    @TempDir
    Path dir;

    /** Records every command; `ip netns add/del/list` keep and list namespaces, everything else prints nothing. */
    static final class FakeShell implements Shell {
        final List<String> ran = new CopyOnWriteArrayList<>();
        final Set<String> netns = new TreeSet<>();

        @Override
        public synchronized String run(List<String> argv, String stdin) {
            String line = String.join(" ", argv);
            ran.add(stdin == null ? line : line + " <<< " + stdin);
            if (line.startsWith("ip netns add ")) {
                netns.add(argv.get(3));
            } else if (line.startsWith("ip netns del ")) {
                netns.remove(argv.get(3));
            } else if (line.equals("ip netns list")) {
                return String.join("\n", netns);
            }
            return "";
        }

        List<String> matching(String part) {
            return ran.stream().filter(l -> l.contains(part)).toList();
        }
    }

    static final class FakeHost implements OverlayPlane.Host {
        final List<String> resolvers = new ArrayList<>();
        volatile ServiceRecords records;
        int localnet;

        @Override
        public AutoCloseable startResolver(String sandbox, InetSocketAddress bind, List<InetSocketAddress> upstreams,
                                           ServiceRecords records) {
            this.records = records;
            resolvers.add(sandbox + " " + bind.getAddress().getHostAddress() + ":" + bind.getPort() + " up " + upstreams.size());
            return () -> resolvers.removeIf(r -> r.startsWith(sandbox + " "));
        }

        @Override
        public void routeLocalnet() {
            localnet++;
        }

        @Override
        public List<InetSocketAddress> upstreams() {
            return List.of(new InetSocketAddress("192.168.0.53", 53), new InetSocketAddress("127.0.0.53", 53));
        }
    }

    private final FakeShell shell = new FakeShell();
    private final FakeHost host = new FakeHost();

    private OverlayPlane plane() {
        OverlayPlane p = new OverlayPlane(dir.resolve("net"), shell, host);
        p.configure("node1234abcd", "192.168.0.1");
        return p;
    }

    private static AssignmentsMessage message(boolean full) {
        return AssignmentsMessage.newBuilder().setSequence(1).setFull(full)
                .addNetworks(OverlayPlanTest.FRONT).addNetworks(OverlayPlanTest.BACK)
                .addNames(OverlayPlanTest.vip("front", "web", "10.1.0.100"))
                .addNames(OverlayPlanTest.task("front", "web", "t1", 1, "10.1.0.2")).build();
    }

    private static Task task(String id, String net, String addr) {
        return Task.newBuilder().setId(id).addNetworks(NetworkAttachment.newBuilder().setNetworkId(net).setAddress(addr)).build();
    }

    @Test
    void attachingAContainerMakesItsSandboxResolverAndVipRulesAndTheSameMessageAgainChangesNothing() throws Exception {
        OverlayPlane p = plane();
        assertEquals(List.of("shoal-node1234-"), Files.readAllLines(dir.resolve("net/sandbox-prefix")),
                "the prefix is on disk before any sandbox exists, for whoever cleans up after a kill");
        p.update(message(true));
        assertEquals(List.of(), shell.matching("ip netns add"), "no container yet: no sandbox");
        p.attach(task("t1", "front", "10.1.0.2/24"), "ctr1");
        assertEquals(List.of("ip netns add shoal-node1234-front"), shell.matching("ip netns add"));
        assertEquals(List.of("shoal-node1234-front 10.1.0.1:53 up 1"), host.resolvers,
                "a resolver on the gateway, upstream the host's non-loopback resolver");
        assertNotNull(host.records.get("front", "web"), "the resolver answers the service's name");
        assertTrue(shell.ran.stream().anyMatch(l -> l.contains("ctr1") && l.contains("nft")), "VIP rules in the container's namespace");
        assertEquals(List.of("shoal-node1234-front"), Files.readAllLines(dir.resolve("net/sandboxes")));
        assertEquals("10.1.0.1", p.resolver(task("t1", "front", "10.1.0.2/24")));

        int before = shell.ran.size();
        p.update(message(false));
        assertEquals(before, shell.ran.size(), "nothing changed: nothing asked of the kernel");
    }

    @Test
    void aContainerOnANetworkNotKnownHereYetIsRefusedAndDetachingRemovesItsSandbox() throws Exception {
        OverlayPlane p = plane();
        p.update(message(true));
        ExecException e = assertThrows(ExecException.class, () -> p.attach(task("t7", "elsewhere", "10.7.0.2/24"), "ctr7"));
        assertEquals("network elsewhere of the task is not known on this node yet", e.getMessage());
        Task t1 = task("t1", "front", "10.1.0.2/24");
        p.attach(t1, "ctr1");
        p.detach(t1);
        assertEquals(List.of("ip netns del shoal-node1234-front"), shell.matching("ip netns del"));
        assertEquals(List.of(), host.resolvers, "its resolver went with it");
    }

    @Test
    void anInternalNetworksResolverHasNoUpstream() throws Exception {
        OverlayPlane p = plane();
        p.update(message(true));
        p.attach(task("t2", "back", "10.2.0.2/24"), "ctr2");
        assertEquals(List.of("shoal-node1234-back 10.2.0.1:53 up 0"), host.resolvers);
        assertEquals(0, host.localnet, "no published port: no sysctl");
    }

    @Test
    void publishedPortsBuildTheIngressSandboxAndReplaceOnlyTheTableThatChanged() {
        OverlayPlane p = plane();
        IngressPort http = IngressPort.newBuilder().setProtocol(PortConfig.Protocol.TCP).setPublishedPort(8080)
                .setTargetPort(80).addBackends("10.255.0.5").build();
        AssignmentsMessage m = AssignmentsMessage.newBuilder().setSequence(1).setFull(true)
                .addNetworks(OverlayPlanTest.INGRESS).setIngressAddress("10.255.0.2/16").addIngressPorts(http).build();
        p.update(m);
        assertEquals(List.of("ip netns add shoal-node1234-ingress"), shell.matching("ip netns add"),
                "every node on the mesh has the sandbox, with or without a task");
        assertEquals(1, host.localnet, "published ports answer on 127.0.0.1 too");
        assertEquals(List.of(), host.resolvers, "the ingress network has no resolver");
        List<String> tables = shell.matching("table ip shoal_ingress");
        assertEquals(2, tables.size(), "the host's table and the sandbox's: " + tables);
        assertTrue(tables.get(0).startsWith("nft -f -") && tables.get(1).startsWith("nsenter --net=/run/netns/shoal-node1234-ingress nft"),
                tables.toString());

        p.update(m.toBuilder().setIngressPorts(0, http.toBuilder().addBackends("10.255.0.6")).build());
        List<String> after = shell.matching("table ip shoal_ingress");
        assertEquals(3, after.size(), "a new backend changes only the sandbox's table");
        assertTrue(after.get(2).contains("10.255.0.6"), after.get(2));
        assertEquals(1, host.localnet);
    }

    @Test
    void theFirstFullMessageAfterARestartPlugsContainersThatLivedOn() throws IOException {
        OverlayPlane p = plane();
        p.existingNetns(t -> t.getId().equals("t1") ? "ctr1" : null);
        p.update(message(true).toBuilder().addTasks(task("t1", "front", "10.1.0.2/24")).build());
        assertEquals(List.of("ip netns add shoal-node1234-front"), shell.matching("ip netns add"),
                "the live container's sandbox before anything else is applied");
    }
}
