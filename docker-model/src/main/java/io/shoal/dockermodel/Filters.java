package io.shoal.dockermodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Docker's {@code filters} query parameter: JSON mapping each key to its values, as
 * {@code {"name":{"web":true}}} (what clients send since API 1.22) or {@code {"name":["web"]}}
 * (the older form, still accepted by dockerd). Values of one key match if any matches; keys all
 * must match. Each listing endpoint names the keys it knows; another key is refused as dockerd does
 * ({@code invalid filter 'x'}).
 */
public final class Filters {
    private final Map<String, List<String>> values;

    private Filters(Map<String, List<String>> values) {
        this.values = values;
    }

    public static Filters none() {
        return new Filters(Map.of());
    }

    /** Parses the parameter (null or empty: no filter), accepting only {@code keys}. */
    public static Filters parse(String param, Set<String> keys) {
        if (param == null || param.isBlank()) {
            return none();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(param);
        } catch (JsonProcessingException e) {
            throw new InvalidSpec("invalid filter: the filters parameter is not JSON");
        }
        if (!root.isObject()) {
            throw new InvalidSpec("invalid filter: the filters parameter must be a JSON object");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!keys.contains(e.getKey())) {
                throw new InvalidSpec("invalid filter '" + e.getKey() + "'");
            }
            List<String> vs = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                v.fields().forEachRemaining(x -> {
                    if (x.getValue().asBoolean()) {
                        vs.add(x.getKey());
                    }
                });
            } else if (v.isArray()) {
                v.forEach(x -> vs.add(x.asText()));
            } else {
                throw new InvalidSpec("invalid filter '" + e.getKey() + "': expected an object or an array of values");
            }
            out.put(e.getKey(), vs);
        }
        return new Filters(out);
    }

    /**
     * The command line's form: {@code --filter KEY=VALUE}, repeatable (as docker's CLI takes them),
     * accepting only {@code keys}.
     */
    public static Filters args(List<String> args, Set<String> keys) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new InvalidSpec("bad format of filter '" + a + "' (expected name=value)");
            }
            String key = a.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!keys.contains(key)) {
                throw new InvalidSpec("invalid filter '" + key + "' (use " + String.join(", ", new TreeSet<>(keys)) + ")");
            }
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(a.substring(eq + 1));
        }
        return new Filters(out);
    }

    /** The keys given, each with its values. */
    public Map<String, List<String>> asMap() {
        return values;
    }

    /** Refuses a value of {@code key} that is not one of {@code allowed}, as dockerd does ("Invalid role filter: 'x'"). */
    public Filters only(String key, Set<String> allowed) {
        for (String v : get(key)) {
            if (!allowed.contains(v.toLowerCase(Locale.ROOT))) {
                throw new InvalidSpec("invalid " + key + " filter '" + v + "' (use " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
        return this;
    }

    public List<String> get(String key) {
        return values.getOrDefault(key, List.of());
    }

    public boolean has(String key) {
        return !get(key).isEmpty();
    }

    /** True when {@code key} is not filtered on, or {@code test} holds for one of its values. */
    public boolean any(String key, Function<String, Boolean> test) {
        List<String> vs = get(key);
        if (vs.isEmpty()) {
            return true;
        }
        for (String v : vs) {
            if (test.apply(v)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code label} rule: each value is {@code key} (present) or {@code key=value}; all must hold. */
    public boolean labels(String key, Map<String, String> labels) {
        for (String v : get(key)) {
            int eq = v.indexOf('=');
            boolean ok = eq < 0 ? labels.containsKey(v) : v.substring(eq + 1).equals(labels.get(v.substring(0, eq)));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The {@code name}/{@code id} rule of swarm listings: a prefix of the value. */
    public boolean prefix(String key, String actual) {
        return any(key, actual::startsWith);
    }

    /** An exact value. */
    public boolean exact(String key, String actual) {
        return any(key, actual::equals);
    }
}
