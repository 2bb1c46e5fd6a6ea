package io.shoal.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Merges canonical compose trees, later files over earlier ones, by the compose specification's
 * rules: mappings merge key by key (a later scalar wins), sequences append (without repeating an
 * entry), {@code command}, {@code entrypoint} and {@code healthcheck.test} are replaced, and the
 * unique resources merge by their key: {@code ports} by target, published port and protocol,
 * {@code volumes} and {@code tmpfs} by target, {@code secrets} and {@code configs} by target (the
 * source when no target is given).
 */
final class Merger {
    private static final Set<String> REPLACED = Set.of("command", "entrypoint", "test");
    private static final Map<String, Function<Map<String, Object>, String>> KEYED = Map.of(
            "ports", PortSyntax::mergeKey,
            "volumes", m -> String.valueOf(m.get("target")),
            "tmpfs", m -> String.valueOf(m.get("target")),
            "secrets", m -> String.valueOf(m.getOrDefault("target", m.get("source"))),
            "configs", m -> String.valueOf(m.getOrDefault("target", m.get("source"))));

    private Merger() {}

    static Map<String, Object> merge(List<Map<String, Object>> files) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map<String, Object> f : files) {
            out = mapping(out, f, 0, "");
        }
        return out;
    }

    /**
     * @param depth 0 at the top, 1 in a section, 2 in a service (or definition), more below
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(Map<String, Object> base, Map<String, Object> over, int depth, String section) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (Map.Entry<String, Object> e : over.entrySet()) {
            String k = e.getKey();
            Object b = out.get(k);
            Object o = e.getValue();
            String sec = depth == 0 ? k : section;
            boolean inService = sec.equals("services") && depth >= 2;
            if (b == null || o == null) {
                out.put(k, o == null && b != null ? b : o);
            } else if (inService && depth == 2 && KEYED.containsKey(k) && b instanceof List<?> bl && o instanceof List<?> ol) {
                out.put(k, keyed((List<Object>) bl, (List<Object>) ol, KEYED.get(k)));
            } else if (inService && REPLACED.contains(k)) {
                out.put(k, o);
            } else if (b instanceof Map<?, ?> bm && o instanceof Map<?, ?> om) {
                out.put(k, mapping((Map<String, Object>) bm, (Map<String, Object>) om, depth + 1, sec));
            } else if (b instanceof List<?> bl && o instanceof List<?> ol) {
                List<Object> merged = new ArrayList<>(bl);
                ol.stream().filter(x -> !merged.contains(x)).forEach(merged::add);
                out.put(k, merged);
            } else {
                out.put(k, o);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> keyed(List<Object> base, List<Object> over, Function<Map<String, Object>, String> key) {
        Map<String, Object> byKey = new LinkedHashMap<>();
        for (Object x : base) {
            byKey.put(key.apply((Map<String, Object>) x), x);
        }
        for (Object x : over) {
            String k = key.apply((Map<String, Object>) x);
            Object prev = byKey.get(k);
            byKey.put(k, prev == null ? x : mapping((Map<String, Object>) prev, (Map<String, Object>) x, 3, "services"));
        }
        return new ArrayList<>(byKey.values());
    }
}
