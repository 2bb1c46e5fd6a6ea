package io.shoal.compose;

import io.shoal.api.EndpointSpec;
import io.shoal.api.Mount;
import io.shoal.api.PortConfig;
import io.shoal.api.RestartPolicy;
import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each service key into its field of the service spec. */
class TranslationTest {
    private static ServiceSpec web(String lines) {
        StackPlan p = Fixtures.plan("services:\n  web:\n    image: nginx\n" + lines.indent(4));
        return p.services().getFirst();
    }

    @Test
    void namesAndLabelsCarryTheNamespace() {
        ServiceSpec s = web("labels: {a: b}\ndeploy: {labels: [x=y]}");
        assertEquals("st_web", s.getAnnotations().getName());
        assertEquals(Map.of("x", "y", "com.docker.stack.namespace", "st", "com.docker.stack.image", "nginx"), s.getAnnotations().getLabelsMap());
        assertEquals(Map.of("a", "b", "com.docker.stack.namespace", "st"), s.getTask().getContainer().getLabelsMap());
    }

    @Test
    void commandAndEntrypointAsStringOrList() {
        ServiceSpec s = web("entrypoint: /bin/sh -c\ncommand: [\"echo hi\", x]");
        assertEquals(List.of("/bin/sh", "-c"), s.getTask().getContainer().getCommandList());
        assertEquals(List.of("echo hi", "x"), s.getTask().getContainer().getArgsList());
        assertEquals(List.of("sh", "-c", "echo 'a b' \"c\""), web("command: sh -c \"echo 'a b' \\\"c\\\"\"").getTask().getContainer().getArgsList());
    }

    @Test
    void environmentAsListOrMapSorted() {
        var env = Fixtures.text("services:\n  web:\n    image: a\n    environment: [B=2, A=1, FROM_ENV, MISSING]\n", Map.of("FROM_ENV", "e"));
        assertEquals(List.of("A=1", "B=2", "FROM_ENV=e"),
                StackTranslator.plan(env, "st").services().getFirst().getTask().getContainer().getEnvList());
        assertEquals(List.of("N=5", "T=true"), web("environment: {T: true, N: 5}").getTask().getContainer().getEnvList());
    }

    @Test
    void simpleContainerKeys() {
        var c = web("user: \"1000:1000\"\nworking_dir: /app\nhostname: h\nstop_signal: SIGINT\nstop_grace_period: 1m30s\nread_only: true\ninit: true")
                .getTask().getContainer();
        assertEquals("1000:1000", c.getUser());
        assertEquals("/app", c.getDir());
        assertEquals("h", c.getHostname());
        assertEquals("SIGINT", c.getStopSignal());
        assertEquals(90_000, c.getStopGracePeriodMs());
        assertTrue(c.getHasStopGracePeriod() && c.getReadOnly() && c.getInit());
    }

    @Test
    void healthcheckForms() {
        var h = web("healthcheck: {test: curl -f localhost, interval: 10s, timeout: 2s, retries: 3, start_period: 1s}")
                .getTask().getContainer().getHealthcheck();
        assertEquals(List.of("CMD-SHELL", "curl -f localhost"), h.getTestList());
        assertEquals(10_000, h.getIntervalMs());
        assertEquals(2_000, h.getTimeoutMs());
        assertEquals(3, h.getRetries());
        assertEquals(1_000, h.getStartPeriodMs());
        assertEquals(List.of("CMD", "true"), web("healthcheck: {test: [CMD, \"true\"]}").getTask().getContainer().getHealthcheck().getTestList());
        assertEquals(List.of("NONE"), web("healthcheck: {test: [NONE]}").getTask().getContainer().getHealthcheck().getTestList());
        assertEquals(List.of("NONE"), web("healthcheck: {disable: true}").getTask().getContainer().getHealthcheck().getTestList());
        assertFalse(web("").getTask().getContainer().hasHealthcheck());
    }

    @Test
    void portsShortAndLongSortedByPublished() {
        var ports = web("ports: [\"9000-9001:90-91/udp\", \"80\", \"127.0.0.1:8080:80\", {target: 22, published: 2222, mode: host}]")
                .getEndpoint().getPortsList();
        assertEquals(5, ports.size());
        assertEquals(PortConfig.newBuilder().setTargetPort(80).build(), ports.get(0));
        assertEquals(PortConfig.newBuilder().setTargetPort(22).setPublishedPort(2222).setPublishMode(PortConfig.PublishMode.HOST).build(), ports.get(1));
        assertEquals(PortConfig.newBuilder().setTargetPort(80).setPublishedPort(8080).build(), ports.get(2));
        assertEquals(PortConfig.newBuilder().setTargetPort(90).setPublishedPort(9000).setProtocol(PortConfig.Protocol.UDP).build(), ports.get(3));
        assertEquals(91, ports.get(4).getTargetPort());
        assertEquals(EndpointSpec.ResolutionMode.DNSRR, web("deploy: {endpoint_mode: dnsrr}").getEndpoint().getMode());
    }

    @Test
    void networksGetTheShortNameAsAnAlias() {
        StackPlan p = Fixtures.plan("services:\n  web:\n    image: a\n    networks:\n      front: {aliases: [www]}\n      back:\n"
                + "networks:\n  front:\n  back:\n    name: shared-back\n  ext:\n    external: true\n");
        var nets = p.services().getFirst().getTask().getNetworksList();
        assertEquals("shared-back", nets.get(0).getTarget());
        assertEquals(List.of("web"), nets.get(0).getAliasesList());
        assertEquals("st_front", nets.get(1).getTarget());
        assertEquals(List.of("www", "web"), nets.get(1).getAliasesList());
        // networks no service uses are not made; external ones are not made either
        assertEquals(List.of("shared-back", "st_front"), p.networks().stream().map(n -> n.getAnnotations().getName()).toList());
        assertEquals(List.of(), p.externalNetworks());
        StackPlan d = Fixtures.plan("services:\n  web:\n    image: a\n");
        assertEquals("st_default", d.services().getFirst().getTask().getNetworks(0).getTarget());
        assertEquals("st_default", d.networks().getFirst().getAnnotations().getName());
        assertEquals(Map.of("com.docker.stack.namespace", "st"), d.networks().getFirst().getAnnotations().getLabelsMap());
        StackPlan e = Fixtures.plan("services:\n  web:\n    image: a\n    networks: [ext]\nnetworks:\n  ext:\n    external: true\n    name: real\n");
        assertEquals(List.of("real"), e.externalNetworks());
        assertEquals(List.of(), e.networks());
    }

    @Test
    void volumesBindsAndTmpfs() {
        StackPlan p = Fixtures.plan("""
                services:
                  web:
                    image: a
                    volumes: ["data:/data", "/host:/h:ro", "/anon", {type: tmpfs, target: /t, tmpfs: {size: 1M}}, "ext:/e"]
                    tmpfs: /run
                volumes:
                  data:
                  ext:
                    external: true
                """);
        var m = p.services().getFirst().getTask().getContainer().getMountsList();
        assertEquals(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("st_data").setTarget("/data").build(), m.get(0));
        assertEquals(Mount.newBuilder().setType(Mount.Type.BIND).setSource("/host").setTarget("/h").setReadOnly(true).build(), m.get(1));
        assertEquals(Mount.newBuilder().setType(Mount.Type.VOLUME).setTarget("/anon").build(), m.get(2));
        assertEquals(Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/t").setTmpfsSizeBytes(1 << 20).build(), m.get(3));
        assertEquals("ext", m.get(4).getSource());
        assertEquals(Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/run").build(), m.get(5));
    }

    @Test
    void deployKeys() {
        ServiceSpec s = web("""
                deploy:
                  replicas: 4
                  placement: {constraints: [node.role==manager], preferences: [{spread: node.labels.zone}], max_replicas_per_node: 2}
                  resources: {limits: {cpus: "1.5", memory: 128M, pids: 100}, reservations: {cpus: "0.25", memory: 64M}}
                  restart_policy: {condition: on-failure, delay: 2s, max_attempts: 3, window: 1m}
                  update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 5s, max_failure_ratio: 0.5, order: start-first}
                  rollback_config: {parallelism: 0, order: stop-first}
                """);
        assertEquals(4, s.getReplicated().getReplicas());
        assertEquals(List.of("node.role==manager"), s.getTask().getPlacement().getConstraintsList());
        assertEquals("node.labels.zone", s.getTask().getPlacement().getPreferences(0).getSpreadDescriptor());
        assertEquals(2, s.getTask().getPlacement().getMaxReplicas());
        var r = s.getTask().getResources();
        assertEquals(1_500_000_000L, r.getLimits().getNanoCpus());
        assertEquals(128L << 20, r.getLimits().getMemoryBytes());
        assertEquals(100, r.getLimits().getPids());
        assertEquals(250_000_000L, r.getReservations().getNanoCpus());
        assertEquals(64L << 20, r.getReservations().getMemoryBytes());
        assertEquals(RestartPolicy.newBuilder().setCondition(RestartPolicy.Condition.ON_FAILURE).setDelayMs(2000).setDelaySet(true)
                .setMaxAttempts(3).setWindowMs(60_000).build(), s.getTask().getRestart());
        assertEquals(UpdateConfig.newBuilder().setParallelism(2).setDelayMs(10_000).setFailureAction(UpdateConfig.FailureAction.ROLLBACK)
                .setMonitorMs(5000).setMaxFailureRatio(0.5f).setOrder(UpdateConfig.Order.START_FIRST).build(), s.getUpdate());
        assertEquals(UpdateConfig.newBuilder().setParallelism(0).build(), s.getRollback());
        assertFalse(web("").hasUpdate());
    }

    @Test
    void modes() {
        assertEquals(1, web("").getReplicated().getReplicas());
        assertTrue(web("deploy: {mode: global}").hasGlobal());
        assertTrue(web("deploy: {mode: global-job}").hasGlobalJob());
        var job = web("deploy: {mode: replicated-job, replicas: 5}").getReplicatedJob();
        assertEquals(5, job.getTotalCompletions());
        assertEquals(5, job.getMaxConcurrent());
        assertEquals(0, web("deploy: {replicas: 0}").getReplicated().getReplicas());
    }

    @Test
    void dockersRestartKeyIsTheFallbackPolicy() {
        assertEquals(RestartPolicy.Condition.ON_FAILURE, web("restart: on-failure").getTask().getRestart().getCondition());
        assertEquals(RestartPolicy.Condition.ANY, web("restart: always").getTask().getRestart().getCondition());
        assertEquals(RestartPolicy.Condition.NONE,
                web("restart: always\ndeploy: {restart_policy: {condition: none}}").getTask().getRestart().getCondition());
    }

    @Test
    void runtimeOptions() {
        var c = web("""
                cap_add: [net_admin]
                cap_drop: [ALL]
                ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}
                sysctls: [net.core.somaxconn=1024]
                dns: [10.0.0.2, 10.0.0.3]
                dns_search: example.com
                extra_hosts: {db: 10.0.0.9}
                """).getTask().getContainer();
        assertEquals(List.of("CAP_NET_ADMIN"), c.getCapabilityAddList());
        assertEquals(List.of("ALL"), c.getCapabilityDropList());
        assertEquals("nofile", c.getUlimits(0).getName());
        assertEquals(20000, c.getUlimits(0).getSoft());
        assertEquals(40000, c.getUlimits(0).getHard());
        assertEquals(65535, c.getUlimits(1).getSoft());
        assertEquals(Map.of("net.core.somaxconn", "1024"), c.getSysctlsMap());
        assertEquals(List.of("10.0.0.2", "10.0.0.3"), c.getDnsConfig().getNameserversList());
        assertEquals(List.of("example.com"), c.getDnsConfig().getSearchList());
        assertEquals(List.of("10.0.0.9 db"), c.getHostsList());
    }

    @Test
    void secretsAndConfigs() {
        StackPlan p = Fixtures.plan("""
                services:
                  web:
                    image: a
                    secrets: [pw, {source: key, target: api.key, uid: "103", gid: "104", mode: 0400}]
                    configs: [{source: conf, target: /etc/app.conf}]
                secrets:
                  pw: {content: hunter2, labels: {a: b}}
                  key: {external: true, name: real-key}
                  unused: {content: x}
                configs:
                  conf: {content: "listen 80"}
                """);
        var c = p.services().getFirst().getTask().getContainer();
        assertEquals("real-key", c.getSecrets(0).getSecretName());
        assertEquals("api.key", c.getSecrets(0).getTarget());
        assertEquals(List.of("103", "104", 0400), List.of(c.getSecrets(0).getUid(), c.getSecrets(0).getGid(), c.getSecrets(0).getMode()));
        // Docker's conversion fills in the owner root and mode 0444
        assertEquals(List.of("0", "0", 0444), List.of(c.getSecrets(1).getUid(), c.getSecrets(1).getGid(), c.getSecrets(1).getMode()));
        assertEquals(List.of("0", "0", 0444), List.of(c.getConfigs(0).getUid(), c.getConfigs(0).getGid(), c.getConfigs(0).getMode()));
        assertEquals("st_pw", c.getSecrets(1).getSecretName());
        assertEquals("pw", c.getSecrets(1).getTarget());
        assertEquals("st_conf", c.getConfigs(0).getConfigName());
        assertEquals("/etc/app.conf", c.getConfigs(0).getTarget());
        // as Docker: every declared secret is made, external ones only checked for
        assertEquals(List.of("st_pw", "st_unused"), p.secrets().stream().map(x -> x.getAnnotations().getName()).toList());
        assertEquals("hunter2", p.secrets().getFirst().getData().toStringUtf8());
        assertEquals(Map.of("a", "b", "com.docker.stack.namespace", "st"), p.secrets().getFirst().getAnnotations().getLabelsMap());
        assertEquals(List.of("real-key"), p.externalSecrets());
        assertEquals("listen 80", p.configs().getFirst().getData().toStringUtf8());
    }

    @Test
    void ignoredAndDeprecatedKeysAreReportedAsDockerDoes() {
        Project p = Fixtures.text("services:\n  web:\n    image: a\n    build: .\n    depends_on: [db]\n    privileged: true\n"
                + "    container_name: w\n    expose: [80]\n    profiles: [dev]\n  db:\n    image: b\n    links: [web]\n");
        assertEquals(List.of("Ignoring unsupported options: build, depends_on, links, privileged, profiles",
                "Ignoring deprecated options: container_name: Setting the container name is not supported.; expose: Exposing ports is "
                        + "unnecessary - services on the same network can access each other's containers on any port."),
                StackTranslator.notices(p));
        assertEquals(2, StackTranslator.plan(p, "st").services().size());
    }

    @Test
    void extensionsAreAllowedAnywhere() {
        StackPlan p = Fixtures.plan("x-top: 1\nservices:\n  x-not-a-service: {}\n  web:\n    image: a\n    x-note: hi\n"
                + "    deploy: {x-deploy: 1, replicas: 2, placement: {x-p: 1}}\nnetworks:\n  x-n: {}\n");
        assertEquals(1, p.services().size());
        assertEquals(2, p.services().getFirst().getReplicated().getReplicas());
    }
}
