package io.shoal.net.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceRecordsTest {
    static final InetAddress ON_A = ip("10.0.1.100");
    static final InetAddress ON_B = ip("10.0.2.100");
    static final InetAddress ON_BOTH = ip("10.0.1.101");
    static final InetAddress STRANGER = ip("10.9.9.9");

    final ClientTable clients = new ClientTable();
    final ServiceRecords records = new ServiceRecords(clients);

    ServiceRecordsTest() {
        clients.put(ON_A, List.of("netA"));
        clients.put(ON_B, List.of("netB"));
        clients.put(ON_BOTH, List.of("netA", "netB"));
    }

    static Inet4Address ip(String literal) {
        return (Inet4Address) InetAddress.ofLiteral(literal);
    }

    Set<Inet4Address> found(String name, InetAddress client) {
        Resolution r = records.resolve(name, client);
        return Set.copyOf(assertInstanceOf(Resolution.Found.class, r, name + " for " + client).addresses());
    }

    @Test
    void vipServiceAnswersEveryNameForm() {
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of(
                new TaskEntry("1", "t1abc", "web-host-1", ip("10.0.1.3")),
                TaskEntry.of("2", "t2def", ip("10.0.1.4")))));

        assertEquals(Set.of(ip("10.0.1.2")), found("web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3"), ip("10.0.1.4")), found("tasks.web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("web.1.t1abc", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("web.1", ON_A));
        assertEquals(Set.of(ip("10.0.1.4")), found("web.2.t2def", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("web-host-1", ON_A));
        assertEquals(Resolution.NOT_OURS, records.resolve("web.3", ON_A));
        assertEquals(Resolution.NOT_OURS, records.resolve("example.org", ON_A));
    }

    @Test
    void dnsrrServiceAnswersWithTaskIps() {
        records.put("netA", ServiceEntry.dnsrr("db", List.of(
                TaskEntry.of("1", "a", ip("10.0.1.7")), TaskEntry.of("2", "b", ip("10.0.1.8")))));

        assertEquals(Set.of(ip("10.0.1.7"), ip("10.0.1.8")), found("db", ON_A));
        assertEquals(Set.of(ip("10.0.1.7"), ip("10.0.1.8")), found("tasks.db", ON_A));
    }

    @Test
    void dnsrrServiceWithoutTasksIsHidden() {
        records.put("netA", ServiceEntry.dnsrr("db", List.of()));

        assertEquals(Resolution.HIDDEN, records.resolve("db", ON_A));
        assertEquals(Resolution.HIDDEN, records.resolve("tasks.db", ON_A));
    }

    @Test
    void aliasesAnswerLikeTheServiceName() {
        records.put("netA", ServiceEntry.vip("mystack_web", ip("10.0.1.2"),
                List.of(TaskEntry.of("1", "x", ip("10.0.1.3")))).withAliases("web"));

        assertEquals(Set.of(ip("10.0.1.2")), found("web", ON_A));
        assertEquals(Set.of(ip("10.0.1.2")), found("mystack_web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("tasks.web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("mystack_web.1.x", ON_A));
    }

    @Test
    void namesIgnoreCaseAndTrailingDot() {
        records.put("netA", ServiceEntry.vip("Web", ip("10.0.1.2"), List.of(TaskEntry.of("1", "TaskX", ip("10.0.1.3")))));

        assertEquals(Set.of(ip("10.0.1.2")), found("WEB.", ON_A));
        assertEquals(Set.of(ip("10.0.1.2")), found("web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("Tasks.wEb.", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("web.1.taskx", ON_A));
    }

    @Test
    void askerOnlyResolvesNamesOnItsNetworks() {
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of()));
        records.put("netB", ServiceEntry.vip("db", ip("10.0.2.2"), List.of()));

        assertEquals(Set.of(ip("10.0.1.2")), found("web", ON_A));
        assertEquals(Resolution.HIDDEN, records.resolve("web", ON_B));
        assertEquals(Resolution.HIDDEN, records.resolve("db", ON_A));
        assertEquals(Resolution.HIDDEN, records.resolve("web", STRANGER));
        assertEquals(Set.of(ip("10.0.2.2")), found("db", ON_BOTH));
    }

    @Test
    void firstNetworkOfTheAskerWins() {
        records.put("netA", ServiceEntry.vip("api", ip("10.0.1.50"), List.of()));
        records.put("netB", ServiceEntry.vip("api", ip("10.0.2.50"), List.of()));
        clients.put(ON_BOTH, List.of("netB", "netA"));

        assertEquals(Set.of(ip("10.0.1.50")), found("api", ON_A));
        assertEquals(Set.of(ip("10.0.2.50")), found("api", ON_B));
        assertEquals(Set.of(ip("10.0.2.50")), found("api", ON_BOTH));
    }

    @Test
    void fixedClientNetworksServeEveryAsker() {
        ServiceRecords perContainer = new ServiceRecords(ClientNetworks.fixed("netB"));
        perContainer.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of()));
        perContainer.put("netB", ServiceEntry.vip("db", ip("10.0.2.2"), List.of()));

        assertEquals(new Resolution.Found(List.of(ip("10.0.2.2"))), perContainer.resolve("db", ip("127.0.0.1")));
        assertEquals(Resolution.HIDDEN, perContainer.resolve("web", ip("127.0.0.1")));
    }

    @Test
    void putReplacesTheWholeServiceEntry() {
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of(
                new TaskEntry("1", "old", "oldhost", ip("10.0.1.3")))));
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.9"), List.of(
                TaskEntry.of("1", "new", ip("10.0.1.4")))));

        assertEquals(Set.of(ip("10.0.1.9")), found("web", ON_A));
        assertEquals(Set.of(ip("10.0.1.4")), found("tasks.web", ON_A));
        assertEquals(Set.of(ip("10.0.1.4")), found("web.1", ON_A));
        assertEquals(Resolution.NOT_OURS, records.resolve("web.1.old", ON_A));
        assertEquals(Resolution.NOT_OURS, records.resolve("oldhost", ON_A));
    }

    @Test
    void shorthandPutServesServiceAndTasksNames() {
        records.put("netA", "web", ip("10.0.1.2"), List.of(ip("10.0.1.3"), ip("10.0.1.4")));
        records.put("netA", "db", null, List.of(ip("10.0.1.5")));

        assertEquals(Set.of(ip("10.0.1.2")), found("web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3"), ip("10.0.1.4")), found("tasks.web", ON_A));
        assertEquals(Set.of(ip("10.0.1.5")), found("db", ON_A));
    }

    @Test
    void removeTakesAServiceOrANetworkAway() {
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of()));
        records.put("netA", ServiceEntry.vip("api", ip("10.0.1.3"), List.of()));
        records.put("netB", ServiceEntry.vip("db", ip("10.0.2.2"), List.of()));

        assertTrue(records.remove("netA", "WEB"));
        assertFalse(records.remove("netA", "web"));
        assertEquals(Resolution.NOT_OURS, records.resolve("web", ON_A));
        assertEquals(Set.of(ip("10.0.1.3")), found("api", ON_A));

        records.removeNetwork("netB");
        assertEquals(Resolution.NOT_OURS, records.resolve("db", ON_B));
        assertEquals(Set.of(ip("10.0.1.3")), found("api", ON_A));
    }

    @Test
    void rootAndEmptyNamesAreNotOurs() {
        assertEquals(Resolution.NOT_OURS, records.resolve(".", ON_A));
        assertEquals(Resolution.NOT_OURS, records.resolve("", ON_A));
    }

    @Test
    void taskNamePartsMustBeSingleLabels() {
        assertThrows(IllegalArgumentException.class, () -> TaskEntry.of("1.2", "x", ip("10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> new TaskEntry("1", null, null, ip("10.0.0.1")));
    }

    @Test
    void readersNeverSeeHalfAnUpdate() throws Exception {
        List<Inet4Address> first = List.of(ip("10.0.1.10"), ip("10.0.1.11"), ip("10.0.1.12"));
        List<Inet4Address> second = List.of(ip("10.0.1.20"), ip("10.0.1.21"));
        records.put("netA", "web", null, first);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 20_000; i++) {
                records.put("netA", "web", null, i % 2 == 0 ? second : first);
            }
        });
        try {
            while (writer.isAlive() && failure.get() == null) {
                Set<Inet4Address> seen = found("tasks.web", ON_A);
                if (!seen.equals(Set.copyOf(first)) && !seen.equals(Set.copyOf(second))) {
                    failure.set(new AssertionError("saw a mix: " + seen));
                }
            }
        } finally {
            writer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
