package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.net.sys.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted overlay network end to end: a manager (h1) and two workers (h2, h3) on namespaced
 * hosts, real containers. A client on h3 reaches a web server on h2 by name (TCP and ping) over
 * `network create --opt encrypted`; a capture on h3's underlay interface sees the sealed
 * packets to the relay port and never the page's marker; a plain VXLAN packet for the network's
 * VNI sent from another host is dropped; removing the network removes the relay's namespace,
 * socket and table from every node. With a 5 s key rotation period, ping and TCP keep working
 * across rotations while the key id on the wire changes, no receiver meets a key it does not
 * hold, a packet sealed with a retired key is refused, and a killed and restarted worker's
 * encrypted traffic resumes.
 */
class EncryptedNetworkIT {
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final String MARKER = "encnet-marker-" + UUID.randomUUID();
    private static final int RELAY_PORT = 4790;
    private static Lab lab;
    private static String image;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-encnet");
        lab.close();
        Lab.Result r = lab.up(1, 2, "10.213.73");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "\n--- h2 log:\n" + lab.log("h2")
                        + "\n--- h3 log:\n" + lab.log("h3"));
            }
            Thread.sleep(100);
        }
    }

    private static void send(String fromHost, String toIp, int port, byte[] payload) throws IOException {
        Netns.run(lab.name + "-" + fromHost, () -> {
            try (DatagramChannel c = DatagramChannel.open()) {
                for (int i = 0; i < 3; i++) {
                    c.send(ByteBuffer.wrap(payload), new InetSocketAddress(toIp, port));
                }
            }
            return null;
        });
    }

    /**
     * One of the relay's counts on {@code host}, from its metrics (lab daemons serve them on
     * IP:9323), or -1 while its daemon does not answer.
     */
    private static long relayCount(String host, String result) {
        Lab.Result r = lab.exec("h1", "curl", "-sf", "http://" + lab.ip(host) + ":9323/metrics");
        for (String line : r.out().split("\n")) {
            if (line.startsWith("shoal_overlay_relay_packets{") && line.contains("result=\"" + result + "\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static List<String> lines(String service) {
        Lab.Result r = lab.cli("h1", "service", "logs", service);
        return r.code() == 0 ? List.of(r.out().split("\n")) : List.of();
    }

    private static long count(List<String> lines, String word) {
        return lines.stream().filter(l -> l.endsWith(word)).count();
    }

    @Test
    void keysRotateWithoutDroppingTrafficAndARetiredKeyIsRefused() throws Exception {
        Lab.Result tooShort = lab.cli("h1", "cluster", "update", "--network-key-rotation", "2s");
        assertEquals(2, tooShort.code(), tooShort.all());
        assertTrue(tooShort.err().startsWith("Error: --network-key-rotation 2s is too short: use at least 5s"), tooShort.err());
        Lab.Result period = lab.cli("h1", "cluster", "update", "--network-key-rotation", "5s");
        assertEquals(0, period.code(), period.all());
        assertTrue(period.out().contains("rotated every 5s"), period.out());

        assertEquals(0, lab.cli("h1", "network", "create", "--opt", "encrypted", "rotating").code());
        Lab.Result web = lab.cli("h1", "service", "create", "--name", "rweb", "--network", "rotating", "--constraint", "node.hostname==h2",
                "--mount", "type=tmpfs,target=/www", image, "sh", "-c",
                "echo " + MARKER + " > /www/index.html; httpd -f -p 80 -h /www");
        assertEquals(0, web.code(), web.all() + "\n" + lab.log("h2"));
        try (UnderlayCapture cap = new UnderlayCapture(lab.name + "-h3", "eth0", MARKER, RELAY_PORT)) {
            // each round: one TCP request and one ping, each saying whether it worked
            Lab.Result client = lab.cli("h1", "service", "create", "--name", "rclient", "--network", "rotating",
                    "--constraint", "node.hostname==h3", image, "sh", "-c",
                    "while true; do if printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 rweb 80 | grep -q " + MARKER
                            + "; then echo tcp-ok; else echo tcp-fail; fi; "
                            + "if ping -c 1 -W 2 tasks.rweb > /dev/null; then echo ping-ok; else echo ping-fail; fi; sleep 0.2; done");
            assertEquals(0, client.code(), client.all() + "\n" + lab.log("h3"));
            await("the client reaches the server", () -> count(lines("rclient"), "tcp-ok") > 0 && count(lines("rclient"), "ping-ok") > 0);
            long okBefore = count(lines("rclient"), "tcp-ok");
            // two rotations on the wire: three key ids, one after the other
            await("three key ids on the wire", () -> cap.sealedByKey.size() >= 3);
            long okAtThird = count(lines("rclient"), "tcp-ok");
            await("TCP goes on under the third key", () -> count(lines("rclient"), "tcp-ok") >= okAtThird + 5);
            List<String> log = lines("rclient");
            int firstOk = Math.max(log.indexOf(log.stream().filter(l -> l.endsWith("tcp-ok")).findFirst().orElseThrow()),
                    log.indexOf(log.stream().filter(l -> l.endsWith("ping-ok")).findFirst().orElseThrow()));
            List<String> after = log.subList(firstOk, log.size());
            assertEquals(0, count(after, "tcp-fail") + count(after, "ping-fail"),
                    "no request or ping failed across the rotations (" + count(after, "tcp-ok") + " requests, " + okBefore
                            + " before the capture saw a second key, key ids " + cap.sealedByKey.keySet() + ")");
            for (String h : List.of("h2", "h3")) {
                assertEquals(0, relayCount(h, "refused_unknown_key"), h + " met no key it did not hold");
                assertTrue(relayCount(h, "opened") > 0, h + " opened packets");
            }
            assertEquals(0, cap.withMarker.get(), "the page's marker never on the underlay");
            List<Long> seen = cap.sealedByKey.keySet().stream().map(cap.firstSeen::get).toList();
            StringBuilder gaps = new StringBuilder();
            for (int i = 1; i < seen.size(); i++) {
                gaps.append(i == 1 ? "" : ", ").append(String.format("%.1f s", (seen.get(i) - seen.get(i - 1)) / 1e9));
            }
            System.out.printf("key rotation (period 5s): %d key ids on the wire, %s apart; %d requests and %d pings, none failed%n",
                    seen.size(), gaps, count(after, "tcp-ok"), count(after, "ping-ok"));

            // the first key is gone since the third became primary: a packet sealed with it is refused
            byte[] retired = cap.sealedByKey.values().iterator().next();
            await("h3 refuses a packet sealed with the retired key", () -> {
                try {
                    send("h2", lab.ip("h3"), RELAY_PORT, retired);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return relayCount("h3", "refused_unknown_key") > 0;
            });

            // a killed worker's encrypted traffic resumes when its daemon is back (the containers lived on)
            assertEquals(0, lab.host("kill", "h3").code());
            long started = System.nanoTime();
            assertEquals(0, lab.host("start", "h3").code());
            await("h3's relay runs again", () -> relayCount("h3", "sealed") > 0);
            long relayBack = System.nanoTime();
            long okAtRestart = count(lines("rclient"), "tcp-ok");
            await("the client on h3 reaches the server again", () -> count(lines("rclient"), "tcp-ok") >= okAtRestart + 5);
            System.out.printf("worker restart: relay sealing again %.1f s after the daemon was started%n", (relayBack - started) / 1e9);
        }
        assertEquals(0, lab.cli("h1", "service", "rm", "rclient", "rweb").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0, "network", "rm", "rotating");
    }

    @Test
    void containersTalkOverAnEncryptedNetworkAndTheUnderlaySeesNoPlaintext() throws Exception {
        Lab.Result bad = lab.cli("h1", "network", "create", "--opt", "mtu=9000", "bad");
        assertEquals(2, bad.code(), bad.all());
        assertTrue(bad.err().startsWith("Error: --opt: 'mtu' is not an option of the overlay driver"), bad.err());
        assertFalse(lab.cli("h1", "network", "ls").out().contains("bad"), "nothing made");

        assertEquals(0, lab.cli("h1", "network", "create", "--opt", "encrypted", "secure").code());
        JsonNode net = Lab.json(lab.ok("h1", "network", "inspect", "secure")).get(0);
        assertTrue(net.get("Options").has("encrypted"), net.toString());
        int vni = Integer.parseInt(net.get("Options").get("com.docker.network.driver.overlay.vxlanid_list").asText());

        Lab.Result web = lab.cli("h1", "service", "create", "--name", "web", "--network", "secure", "--constraint", "node.hostname==h2",
                "--mount", "type=tmpfs,target=/www", image, "sh", "-c",
                "echo " + MARKER + " > /www/index.html; httpd -f -p 80 -h /www");
        assertEquals(0, web.code(), web.all() + "\n" + lab.log("h2"));
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("Running"), "service", "ps", "web");

        // the capture sees plaintext when there is some: a marked datagram between the hosts
        String control = "encnet-control-" + UUID.randomUUID();
        try (UnderlayCapture c = new UnderlayCapture(lab.name + "-h3", "eth0", control, RELAY_PORT)) {
            send("h2", lab.ip("h3"), 9, control.getBytes(StandardCharsets.US_ASCII));
            await("the capture sees the control datagram", () -> c.withMarker.get() > 0);
        }

        try (UnderlayCapture cap = new UnderlayCapture(lab.name + "-h3", "eth0", MARKER, RELAY_PORT)) {
            Lab.Result client = lab.cli("h1", "service", "create", "--name", "client", "--network", "secure",
                    "--constraint", "node.hostname==h3", image, "sh", "-c",
                    "while true; do printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 web 80; "
                            + "ping -c 1 -W 2 tasks.web > /dev/null && echo ping-by-name-ok; sleep 0.5; done");
            assertEquals(0, client.code(), client.all() + "\n" + lab.log("h3"));
            lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().split(MARKER, -1).length > 5
                    && r.out().contains("ping-by-name-ok"), "service", "logs", "client");
            assertTrue(cap.toPort.get() > 0, "sealed packets crossed the underlay to the relay port: " + cap.toPort.get());
            assertEquals(0, cap.withMarker.get(), "frames on the underlay holding the page's marker (of " + cap.frames.get() + ")");
        }

        // a plain VXLAN packet for the network's VNI from another host (an attacker on the underlay)
        byte[] vxlan = new byte[8 + 60];
        vxlan[0] = 0x08;
        vxlan[4] = (byte) (vni >>> 16);
        vxlan[5] = (byte) (vni >>> 8);
        vxlan[6] = (byte) vni;
        String before = lab.exec("h3", "nft", "list", "table", "ip", "shoal_crypt").out();
        assertTrue(before.contains("counter packets 0 "), "nothing plain was dropped while the relays carried the traffic: " + before);
        send("h2", lab.ip("h3"), 4789, vxlan);
        await("h3 drops plain VXLAN of the encrypted VNI", () -> lab.exec("h3", "nft", "list", "table", "ip", "shoal_crypt")
                .out().matches("(?s).*counter packets [1-9].*drop.*"));

        assertEquals(0, lab.cli("h1", "service", "rm", "client", "web").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0, "network", "rm", "secure");
        for (String h : List.of("h2", "h3")) {
            await(h + " has no relay left", () -> !lab.exec(h, "ip", "netns", "list").out().contains("-relay")
                    && !lab.exec(h, "ip", "-o", "link", "show").out().contains("shc0")
                    && !lab.exec(h, "nft", "list", "tables").out().contains("shoal_crypt")
                    && !lab.exec(h, "ss", "-uan").out().contains(":" + RELAY_PORT + " "));
        }
    }
}
