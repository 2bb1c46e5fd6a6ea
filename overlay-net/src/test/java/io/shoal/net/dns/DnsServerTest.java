package io.shoal.net.dns;

import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.shoal.net.dns.FakeUpstream.Asked;
import io.shoal.net.dns.FakeUpstream.Mode;
import io.shoal.net.dns.TestDnsClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsServerTest {
    /** Askers: a container on netA and one on netB, told apart by source address. */
    static final String ON_A = "127.0.0.2";
    static final String ON_B = "127.0.0.3";
    static final String STRANGER = "127.0.0.4";
    static final int NOERROR = DnsResponseCode.NOERROR.intValue();
    static final int NXDOMAIN = DnsResponseCode.NXDOMAIN.intValue();
    static final int SERVFAIL = DnsResponseCode.SERVFAIL.intValue();

    final ClientTable clients = new ClientTable();
    final ServiceRecords records = new ServiceRecords(clients);
    final List<AutoCloseable> toClose = new ArrayList<>();

    DnsServerTest() {
        clients.put(InetAddress.ofLiteral(ON_A), List.of("netA"));
        clients.put(InetAddress.ofLiteral(ON_B), List.of("netB"));
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of(
                new TaskEntry("1", "t1", "web-1-host", ip("10.0.1.3")),
                TaskEntry.of("2", "t2", ip("10.0.1.4")))));
        records.put("netA", ServiceEntry.dnsrr("db", List.of(
                TaskEntry.of("1", "d1", ip("10.0.1.7")), TaskEntry.of("2", "d2", ip("10.0.1.8")))));
        records.put("netB", ServiceEntry.vip("api", ip("10.0.2.2"), List.of(TaskEntry.of("1", "a1", ip("10.0.2.3")))));
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    static Inet4Address ip(String literal) {
        return (Inet4Address) InetAddress.ofLiteral(literal);
    }

    InetSocketAddress start(Duration upstreamTimeout, InetSocketAddress... upstreams) throws Exception {
        DnsServer server = DnsServer.builder(records)
                .bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .upstreams(List.of(upstreams))
                .upstreamTimeout(upstreamTimeout)
                .start();
        toClose.add(server);
        assertTrue(server.address().getPort() > 0);
        return server.address();
    }

    InetSocketAddress start(InetSocketAddress... upstreams) throws Exception {
        return start(Duration.ofSeconds(2), upstreams);
    }

    FakeUpstream upstream(Mode mode, String answer) throws Exception {
        FakeUpstream fake = new FakeUpstream(mode, answer);
        toClose.add(fake);
        return fake;
    }

    static Set<String> addresses(Reply reply) {
        return Set.copyOf(reply.addresses());
    }

    @Test
    void serviceNameAnswersWithItsVipAuthoritativelyAndShortLived() throws Exception {
        InetSocketAddress dns = start();

        Reply reply = TestDnsClient.udp(dns, ON_A, "web", DnsRecordType.A);

        assertEquals(NOERROR, reply.rcode());
        assertTrue(reply.authoritative());
        assertEquals("web.", reply.question());
        assertEquals(List.of("10.0.1.2"), reply.addresses());
        assertEquals(List.of(1L), reply.ttls());
    }

    @Test
    void everyNameFormResolves() throws Exception {
        InetSocketAddress dns = start();

        assertEquals(Set.of("10.0.1.3", "10.0.1.4"), addresses(TestDnsClient.udp(dns, ON_A, "tasks.web", DnsRecordType.A)));
        assertEquals(Set.of("10.0.1.7", "10.0.1.8"), addresses(TestDnsClient.udp(dns, ON_A, "db", DnsRecordType.A)));
        assertEquals(Set.of("10.0.1.7", "10.0.1.8"), addresses(TestDnsClient.udp(dns, ON_A, "tasks.db", DnsRecordType.A)));
        assertEquals(Set.of("10.0.1.3"), addresses(TestDnsClient.udp(dns, ON_A, "web.1.t1", DnsRecordType.A)));
        assertEquals(Set.of("10.0.1.4"), addresses(TestDnsClient.udp(dns, ON_A, "web.2", DnsRecordType.A)));
        assertEquals(Set.of("10.0.1.3"), addresses(TestDnsClient.udp(dns, ON_A, "web-1-host", DnsRecordType.A)));
    }

    @Test
    void namesIgnoreCaseAndTrailingDot() throws Exception {
        InetSocketAddress dns = start();

        assertEquals(List.of("10.0.1.2"), TestDnsClient.udp(dns, ON_A, "WEB.", DnsRecordType.A).addresses());
        assertEquals(Set.of("10.0.1.3", "10.0.1.4"), addresses(TestDnsClient.udp(dns, ON_A, "Tasks.Web", DnsRecordType.A)));
    }

    @Test
    void eachAskerOnlyResolvesNamesOnItsNetworks() throws Exception {
        FakeUpstream fake = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());

        assertEquals(List.of("10.0.1.2"), TestDnsClient.udp(dns, ON_A, "web", DnsRecordType.A).addresses());
        assertEquals(List.of("10.0.2.2"), TestDnsClient.udp(dns, ON_B, "api", DnsRecordType.A).addresses());

        Reply hidden = TestDnsClient.udp(dns, ON_B, "web", DnsRecordType.A);
        assertEquals(NXDOMAIN, hidden.rcode());
        assertEquals(0, hidden.answerCount());
        assertEquals(NXDOMAIN, TestDnsClient.udp(dns, ON_A, "api", DnsRecordType.A).rcode());
        assertEquals(NXDOMAIN, TestDnsClient.udp(dns, STRANGER, "tasks.web", DnsRecordType.A).rcode());
        assertEquals(List.of(), fake.asked(), "names of ours must never reach the upstream");
    }

    @Test
    void updatesShowOnTheNextQuery() throws Exception {
        FakeUpstream fake = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());
        assertEquals(Set.of("10.0.1.3", "10.0.1.4"), addresses(TestDnsClient.udp(dns, ON_A, "tasks.web", DnsRecordType.A)));

        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.20"), List.of(TaskEntry.of("3", "t3", ip("10.0.1.5")))));
        assertEquals(List.of("10.0.1.20"), TestDnsClient.udp(dns, ON_A, "web", DnsRecordType.A).addresses());
        assertEquals(List.of("10.0.1.5"), TestDnsClient.udp(dns, ON_A, "tasks.web", DnsRecordType.A).addresses());

        clients.put(InetAddress.ofLiteral(ON_B), List.of("netB", "netA"));
        assertEquals(List.of("10.0.1.20"), TestDnsClient.udp(dns, ON_B, "web", DnsRecordType.A).addresses());

        records.remove("netA", "web");
        Reply gone = TestDnsClient.udp(dns, ON_A, "web", DnsRecordType.A);
        assertEquals(List.of("192.0.2.80"), gone.addresses(), "a removed name is no longer ours");
        assertEquals(List.of(new Asked("web.", DnsRecordType.A, false)), fake.asked());
    }

    @Test
    void aaaaForOurNamesIsAnEmptyNoError() throws Exception {
        FakeUpstream fake = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());

        Reply reply = TestDnsClient.udp(dns, ON_A, "web", DnsRecordType.AAAA);
        assertEquals(NOERROR, reply.rcode());
        assertEquals(0, reply.answerCount());
        assertEquals(NXDOMAIN, TestDnsClient.udp(dns, ON_B, "web", DnsRecordType.AAAA).rcode());
        assertEquals(List.of(), fake.asked());
    }

    @Test
    void otherNamesAndTypesGoUpstream() throws Exception {
        FakeUpstream fake = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());

        Reply reply = TestDnsClient.udp(dns, ON_A, "example.org", DnsRecordType.A);
        Reply v6 = TestDnsClient.udp(dns, ON_A, "example.org", DnsRecordType.AAAA);

        assertEquals(NOERROR, reply.rcode());
        assertFalse(reply.authoritative());
        assertEquals(List.of("192.0.2.80"), reply.addresses());
        assertEquals(List.of(300L), reply.ttls(), "upstream answers pass through untouched");
        assertEquals(NOERROR, v6.rcode());
        assertEquals(List.of(new Asked("example.org.", DnsRecordType.A, false),
                new Asked("example.org.", DnsRecordType.AAAA, false)), fake.asked());
    }

    @Test
    void forwardedRepliesCarryTheClientsId() throws Exception {
        FakeUpstream fake = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());
        byte[] query = TestDnsClient.encodeQuery(0x1234, "example.org", DnsRecordType.A, 0);
        try (var socket = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral(ON_A), 0))) {
            socket.setSoTimeout(TestDnsClient.TIMEOUT_MS);
            socket.send(new DatagramPacket(query, query.length, dns));
            var packet = new DatagramPacket(new byte[512], 512);
            socket.receive(packet);
            Reply reply = TestDnsClient.decodeReply(packet.getData(), packet.getLength());
            assertEquals(0x1234, reply.id());
            assertEquals(List.of("192.0.2.80"), reply.addresses());
        }
    }

    @Test
    void servfailWhenNoUpstreamAnswers() throws Exception {
        FakeUpstream silent = upstream(Mode.SILENT, "192.0.2.80");
        InetSocketAddress dns = start(Duration.ofMillis(200), silent.address());

        Reply reply = TestDnsClient.udp(dns, ON_A, "example.org", DnsRecordType.A);

        assertEquals(SERVFAIL, reply.rcode());
        assertEquals("example.org.", reply.question());
        assertEquals(List.of(new Asked("example.org.", DnsRecordType.A, false)), silent.asked());
    }

    @Test
    void servfailWithoutUpstreams() throws Exception {
        InetSocketAddress dns = start();

        assertEquals(SERVFAIL, TestDnsClient.udp(dns, ON_A, "example.org", DnsRecordType.A).rcode());
    }

    @Test
    void nextUpstreamIsTriedWhenOneIsSilent() throws Exception {
        FakeUpstream silent = upstream(Mode.SILENT, "192.0.2.1");
        FakeUpstream good = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(Duration.ofMillis(200), silent.address(), good.address());

        Reply reply = TestDnsClient.udp(dns, ON_A, "example.org", DnsRecordType.A);

        assertEquals(List.of("192.0.2.80"), reply.addresses());
        assertEquals(1, silent.asked().size());
        assertEquals(1, good.asked().size());
    }

    @Test
    void truncatedUpstreamReplyIsFetchedAgainOverTcp() throws Exception {
        FakeUpstream fake = upstream(Mode.TRUNCATE_UDP, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());

        Reply reply = TestDnsClient.udp(dns, ON_A, "big.example.org", DnsRecordType.A);

        assertFalse(reply.truncated());
        assertEquals(List.of("192.0.2.80"), reply.addresses());
        assertEquals(List.of(new Asked("big.example.org.", DnsRecordType.A, false),
                new Asked("big.example.org.", DnsRecordType.A, true)), fake.asked());
    }

    @Test
    void answersOverTcpToo() throws Exception {
        FakeUpstream fake = upstream(Mode.ANSWER, "192.0.2.80");
        InetSocketAddress dns = start(fake.address());

        assertEquals(List.of("10.0.1.2"), TestDnsClient.tcp(dns, ON_A, "web", DnsRecordType.A).addresses());
        assertEquals(NXDOMAIN, TestDnsClient.tcp(dns, ON_B, "web", DnsRecordType.A).rcode());
        assertEquals(List.of("192.0.2.80"), TestDnsClient.tcp(dns, ON_A, "example.org", DnsRecordType.A).addresses());
    }

    @Test
    void bigAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
        List<TaskEntry> tasks = IntStream.range(0, 100)
                .mapToObj(i -> TaskEntry.of(Integer.toString(i + 1), "t" + i, ip("10.0.3." + (i + 1))))
                .toList();
        records.put("netA", ServiceEntry.dnsrr("many", tasks));
        InetSocketAddress dns = start();

        Reply udp = TestDnsClient.udp(dns, ON_A, "many", DnsRecordType.A);
        Reply edns = TestDnsClient.udp(dns, ON_A, "many", DnsRecordType.A, 4096);
        Reply tcp = TestDnsClient.tcp(dns, ON_A, "many", DnsRecordType.A);

        assertTrue(udp.truncated());
        assertTrue(udp.addresses().size() < 100 && !udp.addresses().isEmpty(), udp.addresses().size() + " answers");
        assertFalse(edns.truncated());
        assertEquals(100, edns.addresses().size());
        assertFalse(tcp.truncated());
        assertEquals(tasks.stream().map(t -> t.ip().getHostAddress()).collect(Collectors.toSet()),
                addresses(tcp));
    }

    @Test
    void closeFreesTheAddress() throws Exception {
        DnsServer server = DnsServer.builder(records).bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0)).start();
        InetSocketAddress address = server.address();
        server.close();

        try (var udp = new DatagramSocket(address);
             var tcp = new ServerSocket(address.getPort(), 1, address.getAddress())) {
            assertEquals(address.getPort(), udp.getLocalPort());
            assertEquals(address.getPort(), tcp.getLocalPort());
        }
    }
}
