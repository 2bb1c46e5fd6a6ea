package io.shoal.compose;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input: one line naming the file, the path and the problem. */
class ValidationTest {
    private static String problem(String yaml) {
        var e = assertThrows(ComposeException.class, () -> Fixtures.plan(yaml));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            bad port            | ports: ["80:abc"]                  | app.yml: services.web.ports[0]: invalid port "80:abc"
            port out of range   | ports: ["70000:80"]                | app.yml: services.web.ports[0]: invalid port "70000:80"
            second port         | ports: ["80:80", "x"]              | app.yml: services.web.ports[1]: invalid port "x"
            long port target    | ports: [{published: 80}]           | app.yml: services.web.ports[0]: target is required
            protocol            | ports: ["53:53/icmp"]              | app.yml: services.web.ports[0]: protocol "icmp" is not tcp or udp
            wrong type          | environment: 5                     | app.yml: services.web.environment: must be a mapping, not number 5
            replicas type       | deploy: {replicas: many}           | app.yml: services.web.deploy.replicas: must be an integer, not "many"
            deploy unknown key  | deploy: {replica: 2}               | app.yml: services.web.deploy.replica: unknown key (allowed: endpoint_mode, labels, mode, placement, replicas, resources, restart_policy, rollback_config, update_config)
            deploy mode         | deploy: {mode: daemonset}          | app.yml: services.web.deploy.mode: "daemonset" is not one of replicated, global, replicated-job, global-job
            global replicas     | deploy: {mode: global, replicas: 2} | app.yml: services.web.deploy.replicas: replicas can only be used with replicated mode (mode is global)
            duration            | stop_grace_period: 10 seconds     | app.yml: services.web.stop_grace_period: invalid duration "10 seconds" (use Go's syntax: 10s, 1m30s, 500ms)
            memory              | deploy: {resources: {limits: {memory: lots}}} | app.yml: services.web.deploy.resources.limits.memory: invalid size "lots" (e.g. 64M, 1G, or bytes)
            cpus                | deploy: {resources: {limits: {cpus: half}}} | app.yml: services.web.deploy.resources.limits.cpus: invalid number of CPUs "half" (e.g. 0.5)
            unknown service key | imagee: nginx                      | app.yml: services.web.imagee: unknown key (not a service key of the compose specification)
            forbidden key       | mem_limit: 1g                      | app.yml: services.web.mem_limit: unsupported option "mem_limit" (Set resource limits using deploy.resources)
            undefined network   | networks: [back]                   | app.yml: services.web.networks: undefined network "back" (declare it under the top-level networks)
            undefined volume    | volumes: ["data:/data"]            | app.yml: services.web.volumes[0]: undefined volume "data" (declare it under the top-level volumes)
            undefined secret    | secrets: [pw]                      | app.yml: services.web.secrets[0]: undefined secret "pw" (declare it under the top-level secrets)
            undefined config    | configs: [conf]                    | app.yml: services.web.configs[0]: undefined config "conf" (declare it under the top-level configs)
            secret mode         | secrets: [{source: pw, mode: 01777}] | app.yml: services.web.secrets[0].mode: file mode 01777 is out of range (0000-0777, octal)
            secret uid          | secrets: [{source: pw, uid: root}] | app.yml: services.web.secrets[0].uid: must be a number, not "root"
            relative target     | volumes: ["/a:data"]               | app.yml: services.web.volumes[0]: target "data" must be an absolute path in the container
            health test         | healthcheck: {test: [curl, x]}     | app.yml: services.web.healthcheck.test: a list must start with CMD, CMD-SHELL or NONE, not "curl"
            health disable      | healthcheck: {test: [CMD, x], disable: true} | app.yml: services.web.healthcheck: test and disable cannot be set at the same time
            restart policy      | deploy: {restart_policy: {condition: always}} | app.yml: services.web.deploy.restart_policy.condition: "always" is not one of none, on-failure, any
            update order        | deploy: {update_config: {order: random}} | app.yml: services.web.deploy.update_config.order: "random" is not one of stop-first, start-first
            failure ratio       | deploy: {update_config: {max_failure_ratio: 2}} | app.yml: services.web.deploy.update_config.max_failure_ratio: must be between 0 and 1, not 2.0
            command quote       | command: echo "unterminated        | app.yml: services.web.command: unterminated double quote in "echo "unterminated"
            ulimit soft > hard  | ulimits: {nofile: {soft: 10, hard: 5}} | app.yml: services.web.ulimits.nofile: soft limit 10 is above the hard limit 5
            extra host          | extra_hosts: [nohost]              | app.yml: services.web.extra_hosts[0]: invalid extra host "nohost" (use HOST:IP)
            """)
    void oneLineNamesFilePathAndProblem(String what, String serviceLine, String expected) {
        assertEquals(expected, problem("services:\n  web:\n    image: nginx\n    " + serviceLine + "\n"), what);
    }

    @Test
    void topLevelProblems() {
        assertEquals("app.yml: servicess: unknown key (allowed: configs, name, networks, secrets, services, version, volumes)",
                problem("servicess: {}\n"));
        assertEquals("app.yml: services.web.image: an image is required (a stack does not build images)",
                problem("services:\n  web:\n    build: .\n"));
        assertEquals("app.yml: networks.n.driver: driver \"bridge\" is not supported: a stack's networks are overlay networks",
                problem("services: {}\nnetworks:\n  n:\n    driver: bridge\n"));
        assertEquals("app.yml: networks.n: conflicting parameters \"external\" and \"driver\" specified for network",
                problem("services: {}\nnetworks:\n  n:\n    external: true\n    driver: overlay\n"));
        assertEquals("app.yml: secrets.s: a secret needs file, environment, content or external: true",
                problem("services: {}\nsecrets:\n  s: {}\n"));
        assertEquals("app.yml: networks.n.ipam.config[0].subnet: invalid subnet \"10.0.0/24\" (an IPv4 CIDR, e.g. 10.20.0.0/24)",
                problem("services: {}\nnetworks:\n  n:\n    ipam:\n      config: [{subnet: 10.0.0/24}]\n"));
        assertTrue(problem("services:\n  \"web app\":\n    image: x\n").startsWith("app.yml: services.web app: invalid service name"));
    }

    @Test
    void aSecretFileThatDoesNotExistIsNamed() {
        String msg = problem("services: {}\nsecrets:\n  s:\n    file: ./missing.txt\n");
        assertTrue(msg.startsWith("app.yml: secrets.s.file: cannot read /") && msg.endsWith("missing.txt: no such file"), msg);
    }

    @Test
    void stackNamesAreChecked() {
        Project p = Fixtures.text("services:\n  web:\n    image: nginx\n");
        for (String bad : List.of("", "my stack", "-x", "a/b", "ünï")) {
            var e = assertThrows(ComposeException.class, () -> StackTranslator.plan(p, bad));
            assertTrue(e.getMessage().startsWith("invalid stack name"), e.getMessage());
        }
        var longName = assertThrows(ComposeException.class, () -> StackTranslator.plan(p, "s".repeat(60)));
        assertTrue(longName.getMessage().contains("longer than 63 characters"), longName.getMessage());
    }

    @Test
    void theFileOfAMergedServiceIsNamed() {
        Project p = ComposeLoader.load(List.of(new ComposeLoader.Source("base.yml", "services:\n  web:\n    image: x\n"),
                new ComposeLoader.Source("extra.yml", "services:\n  web:\n    networks: [nope]\n")),
                Fixtures.resource("golden"), Map.of());
        var e = assertThrows(ComposeException.class, () -> StackTranslator.plan(p, "st"));
        assertEquals("extra.yml: services.web.networks: undefined network \"nope\" (declare it under the top-level networks)", e.getMessage());
    }
}
