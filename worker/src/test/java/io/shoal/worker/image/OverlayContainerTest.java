package io.shoal.worker.image;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.ExitStatus;
import io.shoal.worker.exec.runc.RuncExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pull an image, run it on an overlayfs root under conmon + runc; the shared layer stays untouched. */
class OverlayContainerTest {
    static final String CGROUP_PARENT = "shoal-test-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;
    final List<Controller> made = new ArrayList<>();
    /** closed after the test: it mounts its runtime's binary under the test's directory */
    RuncExecutor executor;

    @AfterEach
    void cleanup() throws Exception {
        try {
            for (Controller c : made) {
                c.remove();
            }
        } finally {
            if (executor != null) {
                executor.close();
            }
        }
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path c : controllers.toList()) {
                Files.deleteIfExists(c.resolve(CGROUP_PARENT));
            }
        }
    }

    @Test
    void runsAPulledImageOnAnOverlayRoot() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/busybox")), "needs busybox-static");
        try (TestRegistry registry = new TestRegistry()) {
            registry.push("busybox", "latest", List.of("/bin/sh", "-c", "echo default"), List.of(TestRegistry.busyboxLayer()));
            ImageStore images = new ImageStore(dir.resolve("images"), Set.of(registry.host()));
            RuncExecutor ex;
            try {
                ex = new RuncExecutor(dir.resolve("containers"), "runc", new OverlayRootfs(images), CGROUP_PARENT);
                executor = ex;
            } catch (ExecException e) {
                Assumptions.abort(e.getMessage());
                return;
            }
            Task t = Task.newBuilder().setId("ovl" + UUID.randomUUID().toString().substring(0, 8))
                    .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder()
                            .setImage(registry.host() + "/busybox:latest")
                            .addArgs("/bin/sh").addArgs("-c").addArgs("echo written > /bin/new && cat /bin/new"))).build();
            // args without a command replace the image's CMD, as in Docker
            Controller c = ex.controller(t);
            made.add(c);
            c.prepare();
            Path rootfs = dir.resolve("containers/bundles/" + RuncExecutor.containerId(t)).resolve("rootfs");
            assertTrue(OverlayRootfs.mounted(rootfs), "the overlay is mounted at prepare");
            assertFalse(OverlayRootfs.mounted(rootfs.getParent()), "the bundle itself is no mount");
            c.start();
            assertEquals(Optional.of(new ExitStatus(0)), c.waitExit(Duration.ofSeconds(20)));
            Path layer = images.pull(registry.host() + "/busybox:latest").layers().get(0);
            assertFalse(Files.exists(layer.resolve("bin/new")), "container writes go to its own upper dir");
            Path bundle = dir.resolve("containers/bundles/" + RuncExecutor.containerId(t));
            assertTrue(Files.exists(bundle.resolve("upper/bin/new")));
            assertTrue(Files.readString(bundle.resolve("ctr.log")).contains("stdout F written"));
            c.remove();
            assertFalse(OverlayRootfs.mounted(bundle.resolve("rootfs")), "unmounted on remove");

            Task bad = t.toBuilder().setId("bad" + UUID.randomUUID().toString().substring(0, 8)).setSpec(t.getSpec().toBuilder()
                    .setContainer(t.getSpec().getContainer().toBuilder().setImage(registry.host() + "/nosuch:1"))).build();
            Controller b = ex.controller(bad);
            made.add(b);
            ExecException e = assertThrows(ExecException.class, b::prepare);
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("containers/bundles/" + RuncExecutor.containerId(bad))), "nothing half-created");
        }
    }
}
