package io.shoal.compose;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Loading compose text in tests. */
final class Fixtures {
    private Fixtures() {}

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads the named files of a resource directory ("golden/webapp") as the CLI would. */
    static Project files(String dir, Map<String, String> env, String... names) throws IOException {
        Path d = resource(dir);
        List<ComposeLoader.Source> sources = new ArrayList<>();
        for (String n : names) {
            sources.add(new ComposeLoader.Source(n, Files.readString(d.resolve(n))));
        }
        return ComposeLoader.load(sources, d, env);
    }

    /** One compose text named app.yml, in a fresh directory. */
    static Project text(String yaml, Map<String, String> env) {
        try {
            Path d = Files.createTempDirectory("compose-test");
            d.toFile().deleteOnExit();
            return ComposeLoader.load(List.of(new ComposeLoader.Source("app.yml", yaml)), d, env);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Project text(String yaml) {
        return text(yaml, Map.of());
    }

    static StackPlan plan(String yaml) {
        return StackTranslator.plan(text(yaml), "st");
    }
}
