package io.shoal.cli.commands;

import io.shoal.api.ConfigReference;
import io.shoal.api.HealthConfig;
import io.shoal.api.Mount;
import io.shoal.api.PortConfig;
import io.shoal.api.SecretReference;
import io.shoal.api.ServiceSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceFlagsTest {
    @CommandLine.Command(name = "t")
    static final class Holder {
        @CommandLine.Mixin ServiceFlags flags = new ServiceFlags();
    }

    private static ServiceSpec parse(String... args) {
        Holder h = new Holder();
        CommandLine cmd = new CommandLine(h);
        cmd.parseArgs(args);
        return h.flags.apply(ServiceSpec.getDefaultInstance(), "busybox", List.of(), cmd);
    }

    private static String refusal(String... args) {
        return assertThrows(CommandLine.ParameterException.class, () -> parse(args)).getMessage();
    }

    @Test
    void healthFlagsBecomeDockersCanonicalCheck() {
        HealthConfig h = parse("--health-cmd", "wget -q -O- localhost:80", "--health-interval", "2s", "--health-timeout", "500ms",
                "--health-retries", "4", "--health-start-period", "1m").getTask().getContainer().getHealthcheck();
        assertEquals(List.of("CMD-SHELL", "wget -q -O- localhost:80"), h.getTestList());
        assertEquals(2000, h.getIntervalMs());
        assertEquals(500, h.getTimeoutMs());
        assertEquals(4, h.getRetries());
        assertEquals(60_000, h.getStartPeriodMs());
        assertEquals(List.of("NONE"), parse("--no-healthcheck").getTask().getContainer().getHealthcheck().getTestList());
        assertTrue(parse().getTask().getContainer().getHealthcheck().getTestList().isEmpty());
    }

    @Test
    void badHealthFlagsNameTheFlag() {
        assertTrue(refusal("--health-retries", "0").startsWith("--health-retries: must be 1 or more"));
        assertTrue(refusal("--health-interval", "0s").startsWith("--health-interval: must be more than 0"));
        assertTrue(refusal("--health-timeout", "soon").startsWith("--health-timeout:"));
        assertTrue(refusal("--no-healthcheck", "--health-cmd", "true").contains("conflicts"));
    }

    @Test
    void stopTasksAfterDisconnectIsADurationAndNeverByDefault() {
        assertEquals(0, parse().getTask().getStopAfterDisconnectMs());
        assertEquals(90_000, parse("--stop-tasks-after-disconnect", "1m30s").getTask().getStopAfterDisconnectMs());
        assertEquals(0, parse("--stop-tasks-after-disconnect", "0").getTask().getStopAfterDisconnectMs());
        assertEquals("--stop-tasks-after-disconnect: must not be negative, not '-5s' (0 means never)",
                refusal("--stop-tasks-after-disconnect", "-5s"));
        assertTrue(refusal("--stop-tasks-after-disconnect", "soon").startsWith("--stop-tasks-after-disconnect: invalid duration 'soon'"));
    }

    @Test
    void volumeAndTmpfsMountsParse() {
        List<Mount> m = parse("--mount", "type=volume,source=data,target=/var/lib/data",
                "--mount", "type=tmpfs,target=/run,tmpfs-size=16M").getTask().getContainer().getMountsList();
        assertEquals(Mount.Type.VOLUME, m.get(0).getType());
        assertEquals("data", m.get(0).getSource());
        assertEquals(Mount.Type.TMPFS, m.get(1).getType());
        assertEquals(16L << 20, m.get(1).getTmpfsSizeBytes());
    }

    @Test
    void modesAndTheirCounts() {
        assertEquals(ServiceSpec.ModeCase.GLOBAL, parse("--mode", "global").getModeCase());
        ServiceSpec job = parse("--mode", "replicated-job", "--replicas", "6", "--max-concurrent", "2");
        assertEquals(6, job.getReplicatedJob().getTotalCompletions());
        assertEquals(2, job.getReplicatedJob().getMaxConcurrent());
        assertEquals(3, parse("--mode", "replicated-job", "--replicas", "3").getReplicatedJob().getMaxConcurrent(),
                "max concurrent defaults to the completions");
        assertEquals(ServiceSpec.ModeCase.GLOBAL_JOB, parse("--mode", "global-job").getModeCase());
        assertTrue(refusal("--mode", "global", "--replicas", "3").contains("takes no replica count"));
        assertTrue(refusal("--mode", "sometimes").contains("is not one of replicated, global, replicated-job, global-job"));
        assertTrue(refusal("--max-concurrent", "2").startsWith("--max-concurrent: only for --mode replicated-job"));
    }

    @Test
    void publishTakesTheLongAndShortForms() {
        List<PortConfig> ports = parse("-p", "8080:80", "--publish", "mode=host,published=9090,target=90,protocol=udp",
                "-p", "53/udp").getEndpoint().getPortsList();
        assertEquals(3, ports.size());
        assertEquals(PortConfig.newBuilder().setPublishedPort(8080).setTargetPort(80).build(), ports.get(0));
        assertEquals(PortConfig.PublishMode.HOST, ports.get(1).getPublishMode());
        assertEquals(PortConfig.Protocol.UDP, ports.get(1).getProtocol());
        assertEquals(90, ports.get(1).getTargetPort());
        assertEquals(0, ports.get(2).getPublishedPort(), "a bare target gets a free port from the managers");
        assertEquals("*:8080->80/tcp, 9090->90/udp", ServiceFlags.portsText(ports.subList(0, 2)));
    }

    @Test
    void publishOnUpdateReplacesOrRemovesPorts() {
        Holder h = new Holder();
        CommandLine cmd = new CommandLine(h);
        cmd.parseArgs("-p", "8080:81", "--publish-rm", "90");
        ServiceSpec current = parse("-p", "8080:80", "-p", "9000:90");
        List<PortConfig> ports = h.flags.apply(current, null, null, cmd).getEndpoint().getPortsList();
        assertEquals(List.of("8080:81"), ports.stream().map(p -> p.getPublishedPort() + ":" + p.getTargetPort()).toList());
    }

    @Test
    void badPublishValuesNameTheFlag() {
        assertTrue(refusal("-p", "70000:80").startsWith("--publish: published port '70000'"));
        assertTrue(refusal("-p", "published=80").contains("names no target port"));
        assertTrue(refusal("-p", "mode=bridge,target=80").contains("mode 'bridge'"));
        assertTrue(refusal("-p", "80/sctp").contains("protocol 'sctp'"));
        assertTrue(refusal("-p", "8080:80", "-p", "8080:81").contains("8080/tcp is given twice"));
    }

    @Test
    void secretsAndConfigsAreNamesOrDockersLongForm() {
        var c = parse("--secret", "db", "--secret", "source=tls,target=/etc/tls.key,uid=1000,gid=50,mode=0400",
                "--config", "src=app,target=/etc/app.conf,mode=0o644").getTask().getContainer();
        assertEquals(SecretReference.newBuilder().setSecretName("db").build(), c.getSecrets(0));
        assertEquals(SecretReference.newBuilder().setSecretName("tls").setTarget("/etc/tls.key").setUid("1000").setGid("50")
                .setMode(0400).build(), c.getSecrets(1));
        assertEquals(ConfigReference.newBuilder().setConfigName("app").setTarget("/etc/app.conf").setMode(0644).build(),
                c.getConfigs(0));
        assertEquals(0444, SecretConfigFlags.mode("292", "--secret", null), "a mode without a leading 0 is decimal, as docker reads it");
    }

    @Test
    void anUpdateRemovesByNameOrIdThenAdds() {
        Holder h = new Holder();
        CommandLine cmd = new CommandLine(h);
        ServiceSpec base = parse("--secret", "a", "--secret", "b", "--config", "c");
        ServiceSpec withIds = base.toBuilder().setTask(base.getTask().toBuilder().setContainer(base.getTask().getContainer().toBuilder()
                .setSecrets(1, base.getTask().getContainer().getSecrets(1).toBuilder().setSecretId("id-b")))).build();
        cmd.parseArgs("--secret-rm", "a", "--secret-rm", "id-b", "--secret-add", "source=a,target=a2", "--config-rm", "c");
        var c = h.flags.apply(withIds, null, null, cmd).getTask().getContainer();
        assertEquals(List.of("a"), c.getSecretsList().stream().map(r -> r.getSecretName()).toList());
        assertEquals("a2", c.getSecrets(0).getTarget());
        assertEquals(0, c.getConfigsCount());
    }

    @Test
    void badSecretAndConfigFlagsNameTheFlagAndTheProblem() {
        assertTrue(refusal("--secret", "target=x").contains("--secret: 'target=x' names no source"));
        assertTrue(refusal("--secret", "source=a,owner=b").contains("unknown key 'owner'"));
        assertTrue(refusal("--config", "source=a,mode=999").contains("--config: mode '999' must be a file mode"));
        assertTrue(refusal("--secret", "source=a,uid=root").contains("--secret: uid 'root' must be a number"));
        assertTrue(refusal("--secret", "a,b").startsWith("--secret: 'a,b' must be NAME or source=NAME"));
    }
}
