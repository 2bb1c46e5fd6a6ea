package io.shoal.worker.exec.runc;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Mount;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.worker.exec.ExecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OciSpecTest {
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

    @Test
    void commandEnvUserAndLimitsComeFromTheSpecOverTheImage() throws ExecException {
        ContainerSpec c = ContainerSpec.newBuilder().addArgs("-c").addArgs("echo hi").addEnv("A=1").setDir("/srv").setUser("1000:1001").build();
        ResourceRequirements r = ResourceRequirements.newBuilder()
                .setLimits(Resources.newBuilder().setMemoryBytes(64L << 20).setNanoCpus(500_000_000L).setPids(100))
                .setReservations(Resources.newBuilder().setNanoCpus(250_000_000L)).build();
        Map<String, Object> s = OciSpec.build(c, r, List.of("/bin/sh"), List.of("ignored-cmd"), List.of("B=2"), "h1", rootfs,
                "/run/netns/x", "/shoal/x");
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), at(s, "process", "args"));
        List<String> env = at(s, "process", "env");
        assertTrue(env.containsAll(List.of("B=2", "A=1", "HOSTNAME=h1", OciSpec.DEFAULT_PATH)), env.toString());
        assertEquals("/srv", at(s, "process", "cwd"));
        assertEquals(Map.of("uid", 1000L, "gid", 1001L), at(s, "process", "user"));
        assertEquals(true, at(s, "process", "noNewPrivileges"));
        assertEquals(OciSpec.DEFAULT_CAPS, at(s, "process", "capabilities", "bounding"));
        assertEquals(64L << 20, (long) at(s, "linux", "resources", "memory", "limit"));
        assertEquals(50_000L, (long) at(s, "linux", "resources", "cpu", "quota"));
        assertEquals(256L, (long) at(s, "linux", "resources", "cpu", "shares"));
        assertEquals(100L, (long) at(s, "linux", "resources", "pids", "limit"));
        assertTrue(((List<?>) at(s, "linux", "namespaces")).contains(Map.of("type", "network", "path", "/run/netns/x")));
        assertEquals("h1", s.get("hostname"));
    }

    @Test
    void dockersEntrypointRules() {
        ContainerSpec none = ContainerSpec.getDefaultInstance();
        assertEquals(List.of("/entry", "cmd"), OciSpec.args(none, List.of("/entry"), List.of("cmd")));
        ContainerSpec cmd = ContainerSpec.newBuilder().addCommand("/bin/true").build();
        assertEquals(List.of("/bin/true"), OciSpec.args(cmd, List.of("/entry"), List.of("cmd")));
        ContainerSpec args = ContainerSpec.newBuilder().addArgs("x").build();
        assertEquals(List.of("/entry", "x"), OciSpec.args(args, List.of("/entry"), List.of("cmd")));
    }

    @Test
    void badInputIsExplained() throws Exception {
        assertEquals("no command to run: the service gives none and the image has no ENTRYPOINT or CMD",
                assertThrows(ExecException.class, () -> OciSpec.build(ContainerSpec.getDefaultInstance(),
                        ResourceRequirements.getDefaultInstance(), List.of(), List.of(), List.of(), "h", rootfs, "n", "c")).getMessage());
        ContainerSpec bind = ContainerSpec.newBuilder().addCommand("x").addMounts(Mount.newBuilder()
                .setType(Mount.Type.BIND).setSource("/no/such/dir").setTarget("/data")).build();
        assertEquals("bind source path does not exist: /no/such/dir", assertThrows(ExecException.class,
                () -> OciSpec.build(bind, ResourceRequirements.getDefaultInstance(), List.of(), List.of(), List.of(), "h", rootfs, "n", "c")).getMessage());
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:500:501::/app:/bin/sh\n");
        assertEquals(Map.of("uid", 500L, "gid", 501L), OciSpec.user("app", rootfs));
        assertTrue(assertThrows(ExecException.class, () -> OciSpec.user("nobody", rootfs)).getMessage().contains("no user 'nobody'"));
    }
}
