package io.shoal.compose;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Compose files loaded, interpolated, checked and merged: the canonical tree, where relative paths
 * started, the environment, and what a stack ignores in them.
 *
 * @param tree        services, networks, volumes, secrets and configs in canonical form
 * @param files       the files' names as given (first one first)
 * @param origins     for each service and definition ("services.web", "networks.back"), the last file that names it
 * @param workingDir  the first file's directory
 * @param environment variables: the process environment over the {@code .env} file
 * @param ignored     keys a stack ignores (Docker's "Ignoring unsupported options")
 * @param deprecated  deprecated keys and why (Docker's "Ignoring deprecated options")
 * @param warnings    e.g. variables that were not set
 */
public record Project(Map<String, Object> tree, List<String> files, Map<String, String> origins, Path workingDir, Function<String, String> environment,
                      Set<String> ignored, Map<String, String> deprecated, List<String> warnings) {

    /** Where {@code section.name} was last written, for messages about it. */
    At at(String section, String name) {
        return At.root(origins.getOrDefault(section + "." + name, files.getFirst())).key(section).key(name);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> services() {
        return (Map<String, Object>) tree.getOrDefault("services", Map.of());
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> section(String name) {
        return (Map<String, Object>) tree.getOrDefault(name, Map.of());
    }

    /** The merged, interpolated result as YAML (what {@code stack config} prints), sections and services sorted by name. */
    public String toYaml() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", "3.9");
        for (String s : List.of("services", "networks", "volumes", "secrets", "configs")) {
            Map<String, Object> m = section(s);
            if (s.equals("services") || !m.isEmpty()) {
                out.put(s, new TreeMap<>(m));
            }
        }
        ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .build());
        try {
            return yaml.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
