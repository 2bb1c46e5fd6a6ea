package io.shoal.worker.exec.runc;

import io.shoal.api.ContainerSpec;
import io.shoal.api.DNSConfig;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Ulimit;
import io.shoal.worker.exec.ExecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compose-era runtime options in the OCI config: capabilities, rlimits, sysctls, init, resolv.conf, hosts. */
class RuntimeOptionsTest {
    @TempDir
    Path rootfs;

    @SuppressWarnings("unchecked")
    private static <T> T at(Map<String, Object> m, String... path) {
        Object cur = m;
        for (String p : path) {
            cur = ((Map<String, Object>) cur).get(p);
        }
        return (T) cur;
    }

    private Map<String, Object> build(ContainerSpec c) throws ExecException {
        return OciSpec.build(c.toBuilder().addArgs("true").build(), ResourceRequirements.getDefaultInstance(), List.of(), List.of(),
                List.of(), "h", rootfs, "/run/netns/x", "/shoal/x");
    }

    @Test
    void capabilitiesAddToAndDropFromDockersDefaults() throws ExecException {
        List<String> caps = at(build(ContainerSpec.newBuilder().addCapabilityAdd("net_admin").addCapabilityDrop("CAP_CHOWN").build()),
                "process", "capabilities", "bounding");
        assertTrue(caps.contains("CAP_NET_ADMIN") && !caps.contains("CAP_CHOWN") && caps.contains("CAP_KILL"), caps.toString());
        List<String> only = at(build(ContainerSpec.newBuilder().addCapabilityDrop("ALL").addCapabilityAdd("NET_BIND_SERVICE").build()),
                "process", "capabilities", "effective");
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), only);
        List<String> all = at(build(ContainerSpec.newBuilder().addCapabilityAdd("ALL").build()), "process", "capabilities", "permitted");
        assertTrue(all.containsAll(OciSpec.ALL_CAPS));
        var bad = assertThrows(ExecException.class, () -> build(ContainerSpec.newBuilder().addCapabilityAdd("FLY").build()));
        assertEquals("unknown capability 'FLY'", bad.getMessage());
    }

    @Test
    void ulimitsAndSysctls() throws ExecException {
        Map<String, Object> s = build(ContainerSpec.newBuilder()
                .addUlimits(Ulimit.newBuilder().setName("nofile").setSoft(1024).setHard(2048))
                .putSysctls("net.core.somaxconn", "1024").build());
        assertEquals(List.of(Map.of("type", "RLIMIT_NOFILE", "soft", 1024L, "hard", 2048L)), at(s, "process", "rlimits"));
        assertEquals(Map.of("net.core.somaxconn", "1024"), at(s, "linux", "sysctl"));
        Map<String, Object> plain = build(ContainerSpec.getDefaultInstance());
        assertNull(at(plain, "process", "rlimits"));
        assertNull(at(plain, "linux", "sysctl"));
        assertThrows(ExecException.class, () -> build(ContainerSpec.newBuilder().addUlimits(Ulimit.newBuilder().setName("bogus")).build()));
    }

    @Test
    void initRunsFirstFromTheNodesTini() throws ExecException {
        if (!Files.isExecutable(OciSpec.INIT_BINARY)) {
            var e = assertThrows(ExecException.class, () -> build(ContainerSpec.newBuilder().setInit(true).build()));
            assertTrue(e.getMessage().contains("apt-get install tini"), e.getMessage());
            return;
        }
        Map<String, Object> s = build(ContainerSpec.newBuilder().setInit(true).build());
        assertEquals(List.of("/sbin/docker-init", "--", "true"), at(s, "process", "args"));
        List<Map<String, Object>> mounts = at(s, "mounts");
        assertTrue(mounts.stream().anyMatch(m -> m.get("destination").equals("/sbin/docker-init")
                && m.get("source").equals(OciSpec.INIT_BINARY.toString())), mounts.toString());
    }

    @Test
    void resolvConfPutsTheNodesResolverFirst() {
        DNSConfig dns = DNSConfig.newBuilder().addNameservers("10.0.0.53").addSearch("example.internal").addOptions("timeout:2").build();
        assertEquals("nameserver 10.0.1.1\nnameserver 10.0.0.53\nsearch example.internal\noptions ndots:0 timeout:2\n",
                ContainerFiles.resolvConf("10.0.1.1", dns));
        assertEquals("nameserver 10.0.0.53\nsearch example.internal\noptions timeout:2\n", ContainerFiles.resolvConf(null, dns));
        assertEquals("nameserver 10.0.1.1\noptions ndots:0\n", ContainerFiles.resolvConf("10.0.1.1", DNSConfig.getDefaultInstance()));
        assertNull(ContainerFiles.resolvConf(null, DNSConfig.getDefaultInstance()));
    }

    @Test
    void hostsHoldLocalhostTheHostnameAndTheExtraLines() {
        String h = ContainerFiles.hosts("web1", List.of("169.254.169.254 metadata"));
        assertTrue(h.startsWith("127.0.0.1\tlocalhost\n"), h);
        assertTrue(h.contains("127.0.1.1\tweb1\n") && h.endsWith("169.254.169.254\tmetadata\n"), h);
        assertFalse(h.contains("  "));
    }
}
