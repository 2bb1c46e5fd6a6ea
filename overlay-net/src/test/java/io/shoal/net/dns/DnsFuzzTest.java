package io.shoal.net.dns;

import io.netty.handler.codec.dns.DnsRecordType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the embedded DNS server with seeded mutations of real queries (bit flips, truncation,
 * random bytes, counts that lie, label pointers that loop) over UDP and TCP. Properties: every reply
 * that comes decodes as a DNS response, and after every batch of garbage the server still answers a
 * valid query correctly on both transports. {@code -Dshoal.fuzz.runs} and {@code -Dshoal.fuzz.seed}
 * size and replay the run.
 */
class DnsFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 50;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final String ON_A = "127.0.0.2";
    static final List<String> NAMES = List.of("web", "tasks.web", "db", "tasks.db", "api", "x.example.org", "",
            "a".repeat(63), "a.".repeat(120), "WEB", "web.", "_srv._tcp.web");

    static byte[] mutate(Random r, byte[] query) {
        byte[] b = query.clone();
        switch (r.nextInt(6)) {
            case 0 -> {
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    int i = r.nextInt(b.length);
                    b[i] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> {
                b = new byte[r.nextInt(600)];
                r.nextBytes(b);
            }
            case 3 -> {
                int at = 4 + 2 * r.nextInt(4); // a section count that lies
                b[at] = (byte) r.nextInt(256);
                b[at + 1] = (byte) r.nextInt(256);
            }
            case 4 -> {
                b[12] = (byte) 0xC0; // a compression pointer to itself: a loop
                b[13] = 12;
            }
            default -> {
                int i = 12 + r.nextInt(b.length - 12);
                b[i] = (byte) (r.nextBoolean() ? 63 + r.nextInt(193) : r.nextInt(256));
            }
        }
        return b;
    }

    @Test
    void garbageQueries() throws Exception {
        ClientTable clients = new ClientTable();
        ServiceRecords records = new ServiceRecords(clients);
        clients.put(InetAddress.ofLiteral(ON_A), List.of("netA"));
        records.put("netA", ServiceEntry.vip("web", ip("10.0.1.2"), List.of(TaskEntry.of("1", "t1", ip("10.0.1.3")))));
        records.put("netA", ServiceEntry.dnsrr("db", List.of(TaskEntry.of("1", "d1", ip("10.0.1.7")))));
        Random r = new Random(SEED);
        List<String> findings = new ArrayList<>();
        int replies = 0;
        long started = System.nanoTime();
        try (DnsServer server = DnsServer.builder(records).bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))
                .upstreams(List.of()).upstreamTimeout(Duration.ofMillis(200)).start();
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral(ON_A), 0))) {
            InetSocketAddress dns = server.address();
            socket.setSoTimeout(100);
            for (int i = 0; i < RUNS; i++) {
                byte[] valid = TestDnsClient.encodeQuery(r.nextInt(1 << 16), NAMES.get(r.nextInt(NAMES.size())),
                        r.nextBoolean() ? DnsRecordType.A : DnsRecordType.SRV, r.nextInt(3) == 0 ? 4096 : 0);
                byte[] garbage = mutate(r, valid);
                if (i % 4 == 3) {
                    tcp(dns, garbage, r);
                    continue;
                }
                socket.send(new DatagramPacket(garbage, garbage.length, dns));
                try {
                    DatagramPacket reply = new DatagramPacket(new byte[65535], 65535);
                    socket.receive(reply);
                    replies++;
                    try {
                        TestDnsClient.decodeReply(reply.getData(), reply.getLength());
                    } catch (RuntimeException | AssertionError e) {
                        findings.add("an undecodable reply to " + hex(garbage) + ": " + e);
                    }
                } catch (SocketTimeoutException noReply) {
                    // dropping garbage is an answer too
                }
                if (i % 25 == 24) {
                    assertEquals(List.of("10.0.1.2"), TestDnsClient.udp(dns, ON_A, "web", DnsRecordType.A).addresses(),
                            "answers over UDP after garbage");
                    assertEquals(List.of("10.0.1.2"), TestDnsClient.tcp(dns, ON_A, "web", DnsRecordType.A).addresses(),
                            "answers over TCP after garbage");
                }
            }
        }
        System.out.printf("fuzz DNS: %d executions in %.1f s, %d replies to garbage, %d findings%n", RUNS,
                (System.nanoTime() - started) / 1e9, replies, findings.size());
        assertTrue(findings.isEmpty(), findings.size() + " findings, the first: " + (findings.isEmpty() ? "" : findings.get(0)));
    }

    /** Garbage over TCP, with an honest or a lying length prefix; the server may answer or hang up. */
    static void tcp(InetSocketAddress dns, byte[] garbage, Random r) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.ofLiteral(ON_A), 0));
            s.connect(dns, 5_000);
            OutputStream out = s.getOutputStream();
            int length = r.nextInt(4) == 0 ? r.nextInt(1 << 16) : garbage.length;
            out.write(new byte[] {(byte) (length >> 8), (byte) length});
            out.write(garbage);
            out.flush();
        }
    }

    static Inet4Address ip(String literal) {
        return (Inet4Address) InetAddress.ofLiteral(literal);
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            s.append(String.format("%02x", b[i]));
        }
        return s.toString();
    }
}
