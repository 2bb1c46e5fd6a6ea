package io.shoal.net.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamsTest {
    static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    @Test
    void readsNameserverLinesInOrder() {
        String text = """
                # generated
                search corp.example
                nameserver 10.0.0.2
                ; nameserver 10.0.0.99
                nameserver   2001:db8::53   # v6
                nameserver not-an-ip
                options ndots:2
                nameserver 10.0.0.3
                """;
        assertEquals(List.of(at("10.0.0.2", 53), at("2001:db8::53", 53), at("10.0.0.3", 53)),
                Upstreams.parseResolvConf(text));
    }

    @Test
    void readsAFileAndTreatsAMissingOneAsEmpty(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(file, "nameserver 192.0.2.1\n");
        assertEquals(List.of(at("192.0.2.1", 53)), Upstreams.fromResolvConf(file));
        assertEquals(List.of(), Upstreams.fromResolvConf(dir.resolve("missing")));
    }

    @Test
    void parsesAddressesWithAndWithoutPorts() {
        assertEquals(at("192.0.2.1", 53), Upstreams.parse("192.0.2.1"));
        assertEquals(at("192.0.2.1", 5353), Upstreams.parse("192.0.2.1:5353"));
        assertEquals(at("::1", 53), Upstreams.parse("::1"));
        assertEquals(at("::1", 5300), Upstreams.parse("[::1]:5300"));
        assertEquals(at("2001:db8::1", 53), Upstreams.parse("[2001:db8::1]"));
    }

    @Test
    void rejectsNamesAndBadPorts() {
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("dns.example:53"));
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("192.0.2.1:0"));
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("192.0.2.1:x"));
        assertThrows(IllegalArgumentException.class, () -> Upstreams.parse("[::1"));
    }
}
