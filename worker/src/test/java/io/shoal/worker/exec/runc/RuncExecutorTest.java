package io.shoal.worker.exec.runc;

import com.google.protobuf.ByteString;
import io.shoal.api.Config;
import io.shoal.api.ConfigReference;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Mount;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.Secret;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.worker.Await;
import io.shoal.worker.agent.TaskManager;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Dependencies;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.ExitStatus;
import io.shoal.worker.exec.Health;
import io.shoal.worker.exec.TaskStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real containers: conmon + runc on this kernel, a busybox-static root file system, cgroups and a
 * network namespace per task. Needs root, runc, conmon and busybox-static (deploy/install-deps.sh).
 * Every container, namespace and bundle a test makes is removed after it, pass or fail.
 */
class RuncExecutorTest {
    @TempDir
    static Path shared;
    static Path rootfs;
    /** this run's own cgroup parent, removed afterwards */
    static final String CGROUP_PARENT = "shoal-test-" + UUID.randomUUID().toString().substring(0, 8);
    static final List<String> crunMounted = new CopyOnWriteArrayList<>();

    @TempDir
    Path root;
    RuncExecutor executor;
    final List<Controller> made = new ArrayList<>();
    /** executors to close after the test (they mount their runtime's binary under their root) */
    final List<RuncExecutor> executors = new ArrayList<>();

    @BeforeAll
    static void busybox() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/busybox")), "needs busybox-static");
        rootfs = shared.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.copy(Path.of("/usr/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String c : List.of("sh", "echo", "sleep", "cat", "hostname", "true", "stat", "grep", "md5sum")) {
            Files.createSymbolicLink(rootfs.resolve("bin/" + c), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    }

    @BeforeEach
    void executor() {
        try {
            executor = new RuncExecutor(root, "runc", new Rootfs.Source() {
                @Override
                public Rootfs acquire(Task task, Path bundle) {
                    return new Rootfs(rootfs, List.of(), List.of("/bin/sh"), List.of());
                }

                @Override
                public void release(Task task, Path bundle) {
                }
            }, CGROUP_PARENT);
            executors.add(executor);
        } catch (ExecException e) {
            Assumptions.abort(e.getMessage());
        }
    }

    @AfterEach
    void cleanup() throws ExecException {
        try {
            for (Controller c : made) {
                c.remove();
            }
        } finally {
            executors.forEach(RuncExecutor::close);
        }
    }

    @AfterAll
    static void removeCgroupParent() throws IOException, InterruptedException {
        if (!Files.isDirectory(Path.of("/sys/fs/cgroup"))) {
            return;
        }
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path c : controllers.toList()) {
                Files.deleteIfExists(c.resolve(CGROUP_PARENT)); // rmdir of an empty cgroup
            }
        }
        Files.deleteIfExists(Path.of("/sys/fs/cgroup", CGROUP_PARENT));
        for (String c : crunMounted) { // what the crun executor moved from cgroup v2 to v1
            Path dir = Path.of("/sys/fs/cgroup", c);
            new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor();
            Files.deleteIfExists(dir);
        }
    }

    private Controller controller(ContainerSpec c, ResourceRequirements r) {
        Task t = Task.newBuilder().setId(UUID.randomUUID().toString().replace("-", "").substring(0, 20))
                .setSpec(TaskSpec.newBuilder().setContainer(c).setResources(r)).build();
        Controller ctl = executor.controller(t);
        made.add(ctl);
        return ctl;
    }

    private Controller sh(String script) {
        return controller(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs(script).setHostname("box1").build(),
                ResourceRequirements.getDefaultInstance());
    }

    @Test
    void runsTheCommandAndReportsItsExitCodeAndOutput() throws Exception {
        Controller c = sh("echo hello from $(hostname); exit 3");
        c.prepare();
        c.start();
        assertEquals(Optional.of(new ExitStatus(3)), c.waitExit(Duration.ofSeconds(20)));
        String log = Files.readString(((RuncController) c).log());
        assertTrue(log.contains("stdout F hello from box1"), log);
        assertEquals(1, executor.runtimeStarts.sum(), "runc's fifo works the other way round: runc starts its containers");
    }

    @Test
    void theMemoryLimitIsInTheContainersCgroup() throws Exception {
        Controller c = controller(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs("sleep 30").build(),
                ResourceRequirements.newBuilder().setLimits(Resources.newBuilder().setMemoryBytes(48L << 20)).build());
        c.prepare();
        c.start();
        String id = ((RuncController) c).log().getParent().getFileName().toString();
        Path v1 = Path.of("/sys/fs/cgroup/memory", CGROUP_PARENT, id, "memory.limit_in_bytes");
        Path v2 = Path.of("/sys/fs/cgroup", CGROUP_PARENT, id, "memory.max");
        Path file = Files.exists(v1) ? v1 : v2;
        assertTrue(Files.exists(file), "no memory cgroup for " + id);
        assertEquals(String.valueOf(48L << 20), Files.readString(file).trim());
        assertEquals(new ExitStatus(137), c.shutdown("SIGTERM", Duration.ofMillis(200)), "sleep as PID 1 ignores SIGTERM");
    }

    @Test
    void aProcessThatIgnoresTheStopSignalIsKilledAfterTheGracePeriod() throws Exception {
        Controller c = sh("trap '' TERM; while true; do sleep 1; done");
        c.prepare();
        c.start();
        assertTrue(c.waitExit(Duration.ofMillis(300)).isEmpty(), "still running");
        assertEquals(new ExitStatus(137), c.shutdown("SIGTERM", Duration.ofMillis(500)));
        assertEquals(0, executor.runtimeKills.sum(), "SIGTERM and SIGKILL went straight to the container's init");
    }

    @Test
    void aProcessThatHandlesTheStopSignalExitsCleanly() throws Exception {
        Controller c = sh("trap 'exit 0' TERM; while true; do sleep 0.1; done");
        c.prepare();
        c.start();
        assertTrue(c.waitExit(Duration.ofMillis(300)).isEmpty(), "still running");
        assertEquals(new ExitStatus(0), c.shutdown("SIGTERM", Duration.ofSeconds(10)));
        assertEquals(0, executor.runtimeKills.sum(), "no `runc kill`: the signal went straight to the container's init");
    }

    @Test
    void aTaskOnNoNetworkGetsANamespaceOfItsOwnWithOnlyItsLoopbackUp() throws Exception {
        Controller c = sh("echo nics /sys/class/net/*; echo lo $(cat /sys/class/net/lo/flags)");
        c.prepare();
        c.start();
        assertEquals(Optional.of(new ExitStatus(0)), c.waitExit(Duration.ofSeconds(20)));
        String id = ((RuncController) c).log().getParent().getFileName().toString();
        assertFalse(Files.exists(Path.of("/run/netns", id)), "the runtime's namespace, not one of the worker's");
        String log = Files.readString(((RuncController) c).log());
        assertTrue(log.contains("stdout F nics /sys/class/net/lo\n"), log);
        assertTrue(log.contains("stdout F lo 0x9\n"), "IFF_UP|IFF_LOOPBACK: " + log);
    }

    @Test
    void removeLeavesNothingBehind() throws Exception {
        // on a network: the worker makes and names the namespace the overlay plugs into
        Task t = Task.newBuilder().setId(UUID.randomUUID().toString().replace("-", "").substring(0, 20))
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().addCommand("/bin/true")))
                .addNetworks(NetworkAttachment.newBuilder().setNetworkId("n1").setAddress("10.0.9.2/24")).build();
        Controller c = executor.controller(t);
        made.add(c);
        c.prepare();
        c.start();
        c.waitExit(Duration.ofSeconds(20));
        Path bundle = ((RuncController) c).log().getParent();
        String id = bundle.getFileName().toString();
        assertTrue(Files.exists(Path.of("/run/netns", id)));
        c.remove();
        assertFalse(Files.exists(bundle));
        assertFalse(Files.exists(Path.of("/run/netns", id)));
        assertFalse(c.exists());
    }

    @Test
    void aMissingBindSourceIsRefusedAndNothingIsHalfCreated() {
        Controller c = controller(ContainerSpec.newBuilder().addCommand("/bin/true").addMounts(Mount.newBuilder()
                .setType(Mount.Type.BIND).setSource("/no/such/source").setTarget("/data")).build(), ResourceRequirements.getDefaultInstance());
        ExecException e = assertThrows(ExecException.class, c::prepare);
        assertEquals("bind source path does not exist: /no/such/source", e.getMessage());
        try (var s = Files.list(root.resolve("bundles"))) {
            assertEquals(0, s.count(), "no bundle left");
        } catch (IOException io) {
            throw new AssertionError(io);
        }
    }

    /**
     * A container that exits is seen to exist until its exit file is read: conmon writes the file
     * and then goes, and a look between the two used to find neither (12 of 100 containers when
     * asked in a tight loop), which the step function took for a container that vanished (its task
     * FAILED although the command exited 0).
     */
    @Test
    void aContainerThatExitsIsNeverTakenForOneThatVanished() throws Exception {
        for (int n = 0; n < 40; n++) {
            Controller c = sh("exit 0");
            c.prepare();
            c.start();
            long looks = 0;
            while (c.exitStatus().isEmpty()) {
                looks++;
                assertTrue(c.exists(), "container " + n + " gone without an exit status after " + looks + " looks");
            }
            c.remove();
            made.remove(c);
        }
    }

    @Test
    void theStepFunctionDrivesARealContainerToCompletion() throws Exception {
        Controller c = sh("exit 0");
        Task t = Task.newBuilder().setId("x").setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)).build();
        TaskStep step = new TaskStep(System::currentTimeMillis);
        for (int i = 0; i < 200 && t.getStatus().getState() != TaskState.TASK_STATE_COMPLETE; i++) {
            TaskStatus next = step.step(t, c);
            if (next.equals(t.getStatus())) {
                c.waitExit(Duration.ofMillis(50));
            }
            t = t.toBuilder().setStatus(next).build();
        }
        assertEquals(TaskState.TASK_STATE_COMPLETE, t.getStatus().getState(), t.getStatus().toString());
        assertEquals(0, t.getStatus().getExitCode());
    }

    @Test
    void aNamedVolumeOutlivesItsTaskAndAnAnonymousOneGoesWithIt() throws Exception {
        ContainerSpec.Builder spec = ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c")
                .addArgs("echo kept > /data/f; echo gone > /scratch/f")
                .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("vol1").setTarget("/data"))
                .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setTarget("/scratch"));
        Controller first = controller(spec.build(), ResourceRequirements.getDefaultInstance());
        first.prepare();
        first.start();
        assertEquals(Optional.of(new ExitStatus(0)), first.waitExit(Duration.ofSeconds(20)));
        Path bundle = ((RuncController) first).log().getParent();
        assertTrue(Files.exists(bundle.resolve("volumes")), "the anonymous volume is in the bundle");
        first.remove();
        assertFalse(Files.exists(bundle));
        assertEquals("kept", Files.readString(root.resolve("volumes/vol1/_data/f")).trim());

        Controller second = controller(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs("cat /data/f")
                .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("vol1").setTarget("/data")).build(),
                ResourceRequirements.getDefaultInstance());
        second.prepare();
        second.start();
        assertEquals(Optional.of(new ExitStatus(0)), second.waitExit(Duration.ofSeconds(20)));
        assertTrue(Files.readString(((RuncController) second).log()).contains("stdout F kept"));
    }

    @Test
    void aNewVolumeStartsAsACopyOfTheImagesDirectory() throws Exception {
        Controller c = controller(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs("true")
                .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("etcvol").setTarget("/etc")).build(),
                ResourceRequirements.getDefaultInstance());
        c.prepare();
        assertEquals(Files.readString(rootfs.resolve("etc/passwd")), Files.readString(root.resolve("volumes/etcvol/_data/passwd")));
    }

    @Test
    void healthProbesRunInsideTheContainer() throws Exception {
        Controller c = sh("sleep 30");
        c.prepare();
        c.start();
        assertTrue(c.exists());
        Health.Probe missing = c.probe(List.of("cat", "/tmp/ready"), Duration.ofSeconds(10));
        assertEquals(1, missing.exitCode(), missing.toString());
        Files.createDirectories(rootfs.resolve("tmp"));
        Health.Probe ok = c.probe(List.of("/bin/sh", "-c", "echo probe-ran-as-$(hostname)"), Duration.ofSeconds(10));
        assertEquals(0, ok.exitCode());
        assertEquals("probe-ran-as-box1", ok.output());
        Health.Probe slow = c.probe(List.of("sleep", "5"), Duration.ofMillis(300));
        assertEquals(-1, slow.exitCode(), "a probe past its timeout fails");
        c.shutdown("SIGKILL", Duration.ZERO);
    }

    @Test
    void crunRunsTheSameBundlesWithTheSameLimits() throws Exception {
        RuncExecutor crun;
        try {
            crun = new RuncExecutor(root.resolve("crun"), "crun", new Rootfs.Source() {
                @Override
                public Rootfs acquire(Task task, Path bundle) {
                    return new Rootfs(rootfs, List.of(), List.of("/bin/sh"), List.of());
                }

                @Override
                public void release(Task task, Path bundle) {
                }
            }, CGROUP_PARENT);
            executors.add(crun);
            crunMounted.addAll(crun.mountedControllers);
        } catch (ExecException e) {
            Assumptions.abort(e.getMessage());
            return;
        }
        Task t = Task.newBuilder().setId("crun" + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c")
                        .addArgs("echo from crun; echo lo $(cat /sys/class/net/lo/flags); sleep 30"))
                        .setResources(ResourceRequirements.newBuilder().setLimits(Resources.newBuilder().setMemoryBytes(40L << 20))))
                .build();
        Controller c = crun.controller(t);
        made.add(c);
        c.prepare();
        c.start();
        String id = RuncExecutor.containerId(t);
        assertEquals(0, crun.runtimeStarts.sum(), "no `crun start`: the container was released through its exec fifo");
        String state = Cmd.check(List.of("crun", "--root", root.resolve("crun").resolve("state").toString(), "state", id),
                Duration.ofSeconds(30)).out();
        assertTrue(state.replace(" ", "").contains("\"status\":\"running\""), "crun sees it started: " + state);
        Path v1 = Path.of("/sys/fs/cgroup/memory", CGROUP_PARENT, id, "memory.limit_in_bytes");
        Path v2 = Path.of("/sys/fs/cgroup", CGROUP_PARENT, id, "memory.max");
        Path file = Files.exists(v1) ? v1 : v2;
        assertEquals(String.valueOf(40L << 20), Files.readString(file).trim());
        assertEquals(new ExitStatus(137), c.shutdown("SIGTERM", Duration.ofMillis(200)));
        assertEquals(0, crun.runtimeKills.sum(), "no `crun kill`: the signals went straight to the container's init");
        String log = Files.readString(((RuncController) c).log());
        assertTrue(log.contains("stdout F from crun"), log);
        assertTrue(log.contains("stdout F lo 0x9"), "crun brings up the loopback of the namespace it makes: " + log);
    }

    @Test
    void aContainerIsStoppedAndRemovedWithTheRuntimeThatCreatedItAfterASwitch() throws Exception {
        RuncExecutor crun;
        try {
            // the same root as the runc executor: a daemon restarted with --runtime runc after crun
            crun = new RuncExecutor(root, "crun", executor.rootfs, CGROUP_PARENT);
            executors.add(crun);
            crunMounted.addAll(crun.mountedControllers);
        } catch (ExecException e) {
            Assumptions.abort(e.getMessage());
            return;
        }
        Task t = Task.newBuilder().setId("switch" + UUID.randomUUID().toString().replace("-", "").substring(0, 14))
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c")
                        .addArgs("echo up; sleep 30"))).build();
        Controller byCrun = crun.controller(t);
        made.add(byCrun);
        byCrun.prepare();
        byCrun.start();
        String id = RuncExecutor.containerId(t);
        Path state = root.resolve("state").resolve(id);
        assertTrue(Files.isDirectory(state), "crun keeps its state under the executor's root");

        Controller afterSwitch = executor.controller(t); // the runc executor
        assertTrue(((RuncController) afterSwitch).runtimeBinary().endsWith("/crun"), "the bundle names the runtime that made it");
        assertTrue(afterSwitch.exists());
        assertEquals(new ExitStatus(137), afterSwitch.shutdown("SIGTERM", Duration.ofMillis(200)));
        afterSwitch.remove();
        assertFalse(Files.exists(state), "crun's delete removed its state: " + state);
        assertFalse(Files.exists(root.resolve("bundles").resolve(id)));
        // a container the runc executor makes itself records runc
        Controller byRunc = sh("sleep 30");
        byRunc.prepare();
        byRunc.start();
        assertTrue(((RuncController) byRunc).runtimeBinary().endsWith("/runc"));
    }

    /** A new executor of RUNTIME on this test's root: what a restarted daemon makes, finding what the last one left. */
    private RuncExecutor executor(String runtime) {
        try {
            RuncExecutor e = new RuncExecutor(root, runtime, executor.rootfs, CGROUP_PARENT);
            executors.add(e);
            crunMounted.addAll(e.mountedControllers);
            return e;
        } catch (ExecException e) {
            Assumptions.abort(e.getMessage());
            return null;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc", "crun"})
    void aWorkerRestartedBetweenCreateAndStartStartsTheContainerBeforeItReportsItRunning(String runtime) throws Exception {
        RuncExecutor first = executor(runtime);
        Task t = Task.newBuilder().setId(runtime + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
                .setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_STARTING)) // as the managers last saw it
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c")
                        .addArgs("echo started; sleep 30"))).build();
        RuncController created = (RuncController) first.controller(t);
        made.add(created);
        created.prepare();
        created.create(); // and the daemon stops before the start: conmon and the created container live on
        first.close();
        Path bundle = created.log().getParent();
        Path init = Path.of("/proc", Files.readString(bundle.resolve("pidfile")).trim());
        assertTrue(created.exists() && created.awaitingStart(), "created, waiting on its exec fifo");
        assertFalse(Files.readSymbolicLink(init.resolve("exe")).toString().endsWith("/bin/busybox"), "not started yet");

        TaskManager restarted = new TaskManager(executor(runtime), new TaskStep(System::currentTimeMillis));
        CompletableFuture<TaskStatus> reported = new CompletableFuture<>();
        restarted.setReporter(updates -> updates.forEach(u -> {
            if (u.getStatus().getState() != TaskState.TASK_STATE_STARTING) {
                reported.complete(u.getStatus());
            }
        }));
        try {
            restarted.assign(List.of(t));
            TaskStatus s = reported.get(30, TimeUnit.SECONDS);
            assertEquals(TaskState.TASK_STATE_RUNNING, s.getState(), s.toString());
            // its process runs the task's command: init went on from the runtime's to the image's program
            Await.until("the container's init runs busybox", () -> exe(init).endsWith("/bin/busybox"));
            Await.until("its output is in the log", () -> log(created).contains("stdout F started"));
            assertFalse(created.awaitingStart());
        } finally {
            restarted.close(); // detaches: the container is removed after the test
        }
    }

    private static String exe(Path proc) {
        try {
            return Files.readSymbolicLink(proc.resolve("exe")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static String log(RuncController c) {
        try {
            return Files.readString(c.log());
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aContainerWhoseBundleRecordsNoRuntimeIsStoppedWithTheRuntimeItsStateNames() throws Exception {
        RuncExecutor crun;
        try {
            // the same root as the runc executor: a node upgraded from a release that ran runc and
            // recorded no runtime, now started with crun
            crun = new RuncExecutor(root, "crun", executor.rootfs, CGROUP_PARENT);
            executors.add(crun);
            crunMounted.addAll(crun.mountedControllers);
        } catch (ExecException e) {
            Assumptions.abort(e.getMessage());
            return;
        }
        Task t = Task.newBuilder().setId("old" + UUID.randomUUID().toString().replace("-", "").substring(0, 17))
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c")
                        .addArgs("sleep 30"))).build();
        Controller byRunc = executor.controller(t);
        made.add(byRunc);
        byRunc.prepare();
        byRunc.start();
        String id = RuncExecutor.containerId(t);
        Files.delete(root.resolve("bundles").resolve(id).resolve(RuncController.RUNTIME_FILE));

        Controller afterUpgrade = crun.controller(t);
        assertTrue(((RuncController) afterUpgrade).runtimeBinary().endsWith("/runc"), "runc's state names runc");
        assertTrue(afterUpgrade.exists());
        assertEquals(new ExitStatus(137), afterUpgrade.shutdown("SIGTERM", Duration.ofMillis(200)));
        afterUpgrade.remove();
        assertFalse(Files.exists(root.resolve("state").resolve(id)), "runc's delete removed its state");
        // with no container (no state) the executor's own runtime is used
        assertTrue(((RuncController) crun.controller(t)).runtimeBinary().endsWith("/crun"));
    }

    /** What a node would hold for a task: these secrets and configs, whatever the task names. */
    private static Dependencies holding(Secret secret, Config config) {
        return new Dependencies() {
            @Override
            public Optional<Secret> secret(String id) {
                return Optional.ofNullable(secret).filter(s -> s.getId().equals(id));
            }

            @Override
            public Optional<Config> config(String id) {
                return Optional.ofNullable(config).filter(c -> c.getId().equals(id));
            }
        };
    }

    private Controller reading(String script, Dependencies deps) {
        Task t = Task.newBuilder().setId(UUID.randomUUID().toString().replace("-", "").substring(0, 20))
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().addCommand("/bin/sh").addArgs("-c").addArgs(script)
                        .addSecrets(SecretReference.newBuilder().setSecretId("s1").setSecretName("db").setTarget("db")
                                .setUid("1000").setGid("0").setMode(0400))
                        .addConfigs(ConfigReference.newBuilder().setConfigId("c1").setConfigName("app").setTarget("/etc/app.conf")
                                .setUid("0").setGid("0").setMode(0444)))).build();
        Controller ctl = executor.controller(t, deps);
        made.add(ctl);
        return ctl;
    }

    @Test
    void secretsAndConfigsAreFilesOnTheContainersOwnTmpfsAndGoWhenItExits() throws Exception {
        String value = "v-" + UUID.randomUUID();
        Controller c = reading("stat -c '%u %a' /run/secrets/db; grep -c ' /run/secrets/db tmpfs ' /proc/mounts;"
                        + " md5sum /run/secrets/db; cat /etc/app.conf; echo x > /run/secrets/db || echo read-only; sleep 30",
                holding(Secret.newBuilder().setId("s1").setSpec(SecretSpec.newBuilder().setData(ByteString.copyFromUtf8(value))).build(),
                        Config.newBuilder().setId("c1").setSpec(ConfigSpec.newBuilder().setData(ByteString.copyFromUtf8("answer=42"))).build()));
        c.prepare();
        Path bundle = ((RuncController) c).log().getParent();
        assertEquals("tmpfs", Files.getFileStore(bundle.resolve("files")).type(), "the files are in memory");
        c.start();
        Path log = ((RuncController) c).log();
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8)));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains("read-only")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String out = Files.readString(log);
        assertTrue(out.contains("stdout F 1000 400"), "owner and mode: " + out);
        assertTrue(out.contains("stdout F 1\n"), "a tmpfs in the container: " + out);
        assertTrue(out.contains("stdout F " + md5 + "  /run/secrets/db"), "the value: " + out);
        assertTrue(out.contains(" answer=42"), "the config at its target: " + out);
        assertTrue(out.contains("read-only"), out);
        assertFalse(onDisk(root, value), "the value is in no file on disk under " + root);
        assertEquals(new ExitStatus(137), c.shutdown("SIGTERM", Duration.ofMillis(200)));
        c.afterExit();
        assertFalse(Files.exists(bundle.resolve("files")), "the tmpfs went with the container's run");
        assertFalse(Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(bundle.toString())));
        assertTrue(Files.exists(bundle), "the container stays until it is removed");
        c.afterExit();
    }

    @Test
    void aTaskWhoseSecretIsNotOnThisNodeIsRefusedAndNothingIsLeftMounted() throws Exception {
        Controller c = reading("true", Dependencies.NONE);
        ExecException e = assertThrows(ExecException.class, c::prepare);
        assertEquals("secret db (s1) is not available on this node", e.getMessage());
        try (var s = Files.list(root.resolve("bundles"))) {
            assertEquals(0, s.count(), "no bundle left");
        }
        // (the executor's read-only mount of its runtime, under runtimes/, is the executor's, not the task's)
        assertFalse(Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(root.resolve("bundles").toString())));
    }

    @Test
    void removingARunningContainerTakesItsTmpfsToo() throws Exception {
        Controller c = reading("sleep 30", holding(Secret.newBuilder().setId("s1").setSpec(SecretSpec.newBuilder()
                .setData(ByteString.copyFromUtf8("v"))).build(), Config.newBuilder().setId("c1").setSpec(ConfigSpec.newBuilder()
                .setData(ByteString.copyFromUtf8("c"))).build()));
        c.prepare();
        c.start();
        Path bundle = ((RuncController) c).log().getParent();
        c.shutdown("SIGKILL", Duration.ZERO);
        c.remove();
        assertFalse(Files.exists(bundle));
        assertFalse(Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(bundle.toString())));
    }

    /** Whether any regular file under {@code dir} that is not on a tmpfs holds {@code value}. */
    static boolean onDisk(Path dir, String value) throws IOException {
        byte[] needle = value.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                if (Files.getFileStore(p).type().equals("tmpfs")) {
                    continue;
                }
                byte[] data = Files.readAllBytes(p);
                if (indexOf(data, needle) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
