package io.shoal.compose;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Compose files of real applications into specs, compared with checked-in expectations (protobuf
 * text format). {@code -Dshoal.golden.update=true} rewrites the expectations (then read the diff).
 */
class GoldenTest {
    private static String render(StackPlan p, Project project) {
        StringBuilder b = new StringBuilder();
        StackTranslator.notices(project).forEach(n -> b.append("# ").append(n).append('\n'));
        p.networks().forEach(n -> append(b, "network", n));
        b.append("external networks: ").append(p.externalNetworks()).append('\n');
        p.secrets().forEach(s -> append(b, "secret", s));
        b.append("external secrets: ").append(p.externalSecrets()).append('\n');
        p.configs().forEach(c -> append(b, "config", c));
        b.append("external configs: ").append(p.externalConfigs()).append('\n');
        p.services().forEach(s -> append(b, "service", s));
        return b.toString();
    }

    private static void append(StringBuilder b, String kind, Message m) {
        b.append("--- ").append(kind).append('\n').append(TextFormat.printer().printToString(m));
    }

    private static void check(String golden, String actual) throws IOException {
        Path src = Path.of(System.getProperty("user.dir"), "src/test/resources/golden", golden);
        if (Boolean.getBoolean("shoal.golden.update")) {
            Files.writeString(src, actual);
        }
        assertEquals(Files.readString(Fixtures.resource("golden/" + golden)), actual, "golden " + golden);
    }

    @Test
    void votingApp() throws IOException {
        Project p = Fixtures.files("golden", Map.of("TAG", "v2"), "voting.yml");
        check("voting.golden", render(StackTranslator.plan(p, "vote"), p));
    }

    @Test
    void webAppWithSecretsConfigsAndAnEnvFile() throws IOException {
        Project p = Fixtures.files("golden/webapp", Map.of("FROM_SHELL", "from the shell", "API_REPLICAS", "2"), "compose.yml");
        String out = render(StackTranslator.plan(p, "shop"), p).replace(Fixtures.resource("golden/webapp").toString(), "$DIR");
        check("webapp.golden", out);
    }

    @Test
    void stackConfigPrintsTheMergedInterpolatedFile() throws IOException {
        Project p = Fixtures.files("golden/webapp", Map.of("FROM_SHELL", "from the shell"), "compose.yml", "override.yml");
        check("webapp-config.golden", p.toYaml().replace(Fixtures.resource("golden/webapp").toString(), "$DIR"));
    }
}
