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
 * socket and table from every node.
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
