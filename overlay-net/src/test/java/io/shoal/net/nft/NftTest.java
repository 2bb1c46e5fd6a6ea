package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shoal.net.nft.VipService.Backend;
import io.shoal.net.nft.VipService.Protocol;
import io.shoal.net.sys.CommandException;
import io.shoal.net.sys.ProcessShell;
import io.shoal.net.sys.Shell;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Applies the rules in a namespace of its own (root) and connects to a VIP through them. The kernel here
 * has no dummy interfaces, so the namespace's addresses sit on a veth pair.
 */
class NftTest {
    static final String SERVER = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4)
            print("ready", flush=True)
            c, _ = s.accept(); c.sendall(("hello from " + sys.argv[1]).encode()); c.close()
            """;
    static final String CLIENT = """
            import socket, sys
            c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
            print(c.recv(100).decode())
            """;

    final Shell shell = new ProcessShell();
    final Nft nft = new Nft(shell);
    String ns;

    @BeforeEach
    void setUp() {
        assumeTrue(!"false".equals(System.getProperty("shoal.e2e")), "shoal.e2e=false");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft (apt-get install nftables)");
        ns = "sht" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()) + "-nft";
        shell.run("ip", "netns", "add", ns);
        shell.run(List.of("ip", "-n", ns, "-batch", "-"), """
                link set lo up
                link add name d0 type veth peer name d1
                link set d1 up
                addr add 10.99.0.7/24 dev d0
                addr add 10.99.0.8/24 dev d0
                link set d0 up
                route add 10.99.1.0/24 dev d0
                """);
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            shell.run("ip", "netns", "del", ns);
        }
    }

    @Test
    void rulesAppearAndIncrementalChangesApply() {
        VipService v1 = new VipService("web", "10.99.1.5", Protocol.TCP, 80, List.of(new Backend("10.99.0.7", 8080)));
        VipService v2 = new VipService("web", "10.99.1.5", Protocol.TCP, 80,
                List.of(new Backend("10.99.0.7", 8080), new Backend("10.99.0.8", 8080)));
        nft.apply(ns, ServiceRules.full(List.of(v1)));
        String listed = nft.listTable(ns);
        assertTrue(listed.contains("10.99.1.5 . tcp . 80 : goto svc-web-tcp-80"), listed);
        assertTrue(listed.contains("dnat to 10.99.0.7:8080"), listed);

        nft.apply(ns, ServiceRules.diff(List.of(v1), List.of(v2)));
        listed = nft.listTable(ns);
        assertTrue(listed.contains("numgen random mod 2 vmap { 0 : goto svc-web-tcp-80-to-10.99.0.7-8080, 1 : goto svc-web-tcp-80-to-10.99.0.8-8080 }"), listed);

        nft.apply(ns, ServiceRules.diff(List.of(v2), List.of()));
        listed = nft.listTable(ns);
        assertFalse(listed.contains("svc-web"), listed);
        assertTrue(listed.contains("vmap @vips"), "the base chains stay");

        nft.apply(ns, ServiceRules.full(List.of(v1)));
        assertTrue(nft.listTable(ns).contains("10.99.1.5 . tcp . 80"), "full re-apply over an existing table");
    }

    @Test
    void aBrokenTransactionChangesNothing() {
        nft.apply(ns, ServiceRules.full(List.of()));
        String before = nft.listTable(ns);
        CommandException e = assertThrows(CommandException.class,
                () -> nft.apply(ns, "add chain ip shoal ok\nadd rule ip shoal nosuchchain accept\n"));
        assertTrue(e.getMessage().contains("nft -f -"), e.getMessage());
        assertEquals(before, nft.listTable(ns));
    }

    @Test
    void tcpConnectionToTheVipReachesAnEndpoint() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 for the test server");
        VipService web = new VipService("web", "10.99.1.5", Protocol.TCP, 80, List.of(new Backend("10.99.0.8", 8080)));
        nft.apply(ns, ServiceRules.full(List.of(web)));
        Process server = new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-c", SERVER, "10.99.0.8", "8080")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", out.readLine(), "server listening");
            String reply = shell.run(List.of("ip", "netns", "exec", ns, "python3", "-c", CLIENT, "10.99.1.5", "80"), null);
            assertEquals("hello from 10.99.0.8", reply.strip());
        } finally {
            server.destroyForcibly().waitFor();
        }
    }
}
