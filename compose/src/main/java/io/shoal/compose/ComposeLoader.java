package io.shoal.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Loads compose files into a {@link Project}: each file is parsed, interpolated and checked on its
 * own (so a problem names its file), then the files merge in order. Variables come from the process
 * environment and, under it, from the {@code .env} file in the working directory (the first file's
 * directory, or the current one when the first file is standard input).
 */
public final class ComposeLoader {
    private ComposeLoader() {}

    /** One compose file's name (as the user gave it; "-" for standard input) and text. */
    public record Source(String name, String text) {}

    /**
     * @param sources     the files in the order given
     * @param workingDir  where relative paths start
     * @param environment the process environment
     */
    public static Project load(List<Source> sources, Path workingDir, Map<String, String> environment) {
        if (sources.isEmpty()) {
            throw new ComposeException("", "", "no compose file given (-c FILE)");
        }
        Map<String, String> dotenv = new TreeMap<>();
        Path envFile = workingDir.resolve(".env");
        if (Files.isRegularFile(envFile)) {
            dotenv.putAll(EnvFile.parse(envFile.toString(), read(envFile), environment::get));
        }
        Function<String, String> lookup = k -> environment.containsKey(k) ? environment.get(k) : dotenv.get(k);
        List<String> warnings = new ArrayList<>();
        Set<String> seenWarnings = new TreeSet<>();
        Interpolation interpolation = new Interpolation(lookup, w -> {
            if (seenWarnings.add(w)) {
                warnings.add(w);
            }
        });
        Normalizer normalizer = new Normalizer(workingDir, lookup, ComposeLoader::read);
        List<Map<String, Object>> trees = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> origins = new TreeMap<>();
        for (Source s : sources) {
            At root = At.root(s.name());
            Map<String, Object> raw = YamlReader.read(s.name(), s.text());
            @SuppressWarnings("unchecked")
            Map<String, Object> interpolated = (Map<String, Object>) interpolation.tree(raw, root);
            Map<String, Object> tree = normalizer.file(interpolated, root);
            for (Map.Entry<String, Object> section : tree.entrySet()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entries = (Map<String, Object>) section.getValue();
                entries.keySet().forEach(n -> origins.put(section.getKey() + "." + n, s.name()));
            }
            trees.add(tree);
            names.add(s.name());
        }
        return new Project(Merger.merge(trees), List.copyOf(names), origins, workingDir, lookup,
                normalizer.ignored(), normalizer.deprecated(), warnings);
    }

    /** A file's text; IllegalArgumentException with a short reason when it cannot be read. */
    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
