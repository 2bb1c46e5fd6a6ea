package io.shoal.compose;

import io.shoal.api.ServiceSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Several -c files merge by the compose specification's rules. */
class MergeTest {
    private static StackPlan merged(String... files) {
        List<ComposeLoader.Source> sources = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            sources.add(new ComposeLoader.Source("f" + i + ".yml", files[i]));
        }
        return StackTranslator.plan(ComposeLoader.load(sources, Fixtures.resource("golden"), Map.of()), "st");
    }

    private static ServiceSpec web(String... files) {
        return merged(files).services().stream().filter(s -> s.getAnnotations().getName().equals("st_web")).findFirst().orElseThrow();
    }

    @Test
    void mappingsMergeKeyByKeyAndScalarsAreReplaced() {
        ServiceSpec s = web("services:\n  web:\n    image: a\n    environment: {A: '1', B: '2'}\n    labels: [x=1]\n",
                "services:\n  web:\n    image: b\n    environment: [B=3, C=4]\n    labels: {y: '2'}\n");
        assertEquals("b", s.getTask().getContainer().getImage());
        assertEquals(List.of("A=1", "B=3", "C=4"), s.getTask().getContainer().getEnvList());
        assertEquals("1", s.getTask().getContainer().getLabelsOrThrow("x"));
        assertEquals("2", s.getTask().getContainer().getLabelsOrThrow("y"));
    }

    @Test
    void commandsAreReplacedAndOtherListsAppend() {
        ServiceSpec s = web("services:\n  web:\n    image: a\n    command: [a, b]\n    dns: [1.1.1.1]\n    healthcheck: {test: [CMD, x], retries: 2}\n"
                        + "    deploy: {placement: {constraints: [node.role==worker]}}\n",
                "services:\n  web:\n    command: [c]\n    dns: [8.8.8.8]\n    healthcheck: {test: [CMD, y]}\n"
                        + "    deploy: {placement: {constraints: [node.labels.a==b]}}\n");
        assertEquals(List.of("c"), s.getTask().getContainer().getArgsList());
        assertEquals(List.of("1.1.1.1", "8.8.8.8"), s.getTask().getContainer().getDnsConfig().getNameserversList());
        assertEquals(List.of("CMD", "y"), s.getTask().getContainer().getHealthcheck().getTestList());
        assertEquals(2, s.getTask().getContainer().getHealthcheck().getRetries());
        assertEquals(List.of("node.role==worker", "node.labels.a==b"), s.getTask().getPlacement().getConstraintsList());
    }

    @Test
    void uniqueResourcesMergeByTheirKey() {
        ServiceSpec s = web("services:\n  web:\n    image: a\n    ports: [\"80:80\", \"443:443\"]\n    volumes: [\"/a:/data\", \"/b:/logs\"]\n"
                        + "    secrets: [s1]\nsecrets:\n  s1: {content: x}\n  s2: {content: y}\n",
                "services:\n  web:\n    ports: [\"443:443\", \"8080:8080\"]\n    volumes: [\"/c:/data:ro\"]\n"
                        + "    secrets: [{source: s2, target: s1}]\n");
        assertEquals(List.of(80, 443, 8080), s.getEndpoint().getPortsList().stream().map(p -> p.getPublishedPort()).toList());
        var mounts = s.getTask().getContainer().getMountsList();
        assertEquals(2, mounts.size());
        assertEquals("/c", mounts.get(0).getSource());
        assertEquals(true, mounts.get(0).getReadOnly());
        assertEquals(1, s.getTask().getContainer().getSecretsCount());
        assertEquals("st_s2", s.getTask().getContainer().getSecrets(0).getSecretName());
    }

    @Test
    void laterFilesAddServicesAndDefinitions() {
        StackPlan p = merged("services:\n  web:\n    image: a\n    networks: [front]\nnetworks:\n  front: {}\n",
                "services:\n  api:\n    image: b\n    networks: [front]\nnetworks:\n  front: {attachable: true}\n");
        assertEquals(List.of("st_api", "st_web"), p.services().stream().map(s -> s.getAnnotations().getName()).toList());
        assertEquals(true, p.networks().getFirst().getAttachable());
    }

    @Test
    void theWebappOverrideMergesAsExpected() throws Exception {
        Project p = Fixtures.files("golden/webapp", Map.of("FROM_SHELL", "shell"), "compose.yml", "override.yml");
        StackPlan plan = StackTranslator.plan(p, "shop");
        ServiceSpec web = plan.services().stream().filter(s -> s.getAnnotations().getName().equals("shop_web")).findFirst().orElseThrow();
        assertEquals(List.of(80, 443, 8443), web.getEndpoint().getPortsList().stream().map(x -> x.getPublishedPort()).toList());
        assertEquals(2, web.getReplicated().getReplicas());
        ServiceSpec api = plan.services().stream().filter(s -> s.getAnnotations().getName().equals("shop_api")).findFirst().orElseThrow();
        assertEquals(List.of("--listen", ":9090"), api.getTask().getContainer().getArgsList());
        assertEquals("LOG_LEVEL=trace", api.getTask().getContainer().getEnvList().stream().filter(e -> e.startsWith("LOG_LEVEL")).findFirst().orElseThrow());
    }
}
