package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one JSON object of a request and remembers which fields were read, so that {@link #done()}
 * can refuse every field that was sent with a value but that nothing read: the one mechanism that
 * keeps a field Shoal does not support from being silently ignored. Zero values (null, false, 0,
 * "", {}, []) and the defaults named in {@link #ignoring} are absent, as docker's Go clients send
 * them for every field the user did not set.
 *
 * <p>Each reader knows its path in the document ({@code TaskTemplate.ContainerSpec}); errors name
 * the full path of the field.
 */
public final class JsonReader {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();
    private final Map<String, String> defaults = new LinkedHashMap<>();

    private JsonReader(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The document's top object; {@code what} names it in errors when the body is not an object. */
    public static JsonReader of(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return new JsonReader(Json.object(), "");
        }
        if (!node.isObject()) {
            throw new InvalidSpec(what + ": expected a JSON object");
        }
        return new JsonReader(node, "");
    }

    private String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /**
     * The key under which {@code field} is in the document: the exact name, or else one that
     * differs only in case (Go's JSON decoding, and so dockerd, matches field names that way, and
     * docker-py sends {@code "replicated"} for {@code "Replicated"}).
     */
    private String key(String field) {
        if (node.has(field)) {
            return field;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equalsIgnoreCase(field)) {
                return k;
            }
        }
        return field;
    }

    private JsonNode get(String field) {
        String k = key(field);
        read.add(k);
        JsonNode v = node.get(k);
        return v == null || v.isNull() ? null : v;
    }

    /** Treats {@code field} as absent when it holds exactly {@code value} (e.g. Isolation "default"). */
    public JsonReader ignoring(String field, String value) {
        defaults.put(key(field), value);
        return this;
    }

    public boolean has(String field) {
        JsonNode v = node.get(key(field));
        return v != null && !isEmpty(v);
    }

    public String string(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return "";
        }
        if (!v.isTextual()) {
            throw new InvalidSpec(at(field) + ": expected a string, not " + v);
        }
        return v.asText();
    }

    public long number(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return 0;
        }
        if (!v.isIntegralNumber()) {
            throw new InvalidSpec(at(field) + ": expected an integer, not " + v);
        }
        return v.asLong();
    }

    /** An unsigned integer: negative values are refused with the field's name. */
    public long count(String field) {
        long n = number(field);
        if (n < 0) {
            throw new InvalidSpec(at(field) + ": must not be negative (" + n + ")");
        }
        return n;
    }

    public double decimal(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return 0;
        }
        if (!v.isNumber()) {
            throw new InvalidSpec(at(field) + ": expected a number, not " + v);
        }
        return v.asDouble();
    }

    public boolean bool(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new InvalidSpec(at(field) + ": expected true or false, not " + v);
        }
        return v.asBoolean();
    }

    /** Whether the field is present in the document at all (also with a zero value). */
    public boolean present(String field) {
        JsonNode v = node.get(key(field));
        return v != null && !v.isNull();
    }

    public List<String> strings(String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array(field)) {
            if (!v.isTextual()) {
                throw new InvalidSpec(at(field) + ": expected an array of strings, found " + v);
            }
            out.add(v.asText());
        }
        return out;
    }

    public Map<String, String> map(String field) {
        JsonNode v = get(field);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            throw new InvalidSpec(at(field) + ": expected an object of strings, not " + v);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidSpec(at(field) + "." + e.getKey() + ": expected a string, not " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** A nested object, read by its own reader (an empty one when absent). Call {@link #done()} on it. */
    public JsonReader object(String field) {
        JsonNode v = get(field);
        if (v == null) {
            return new JsonReader(Json.object(), at(field));
        }
        if (!v.isObject()) {
            throw new InvalidSpec(at(field) + ": expected an object, not " + v);
        }
        return new JsonReader(v, at(field));
    }

    /** The objects of an array field, each with its own reader (path {@code Field[i]}). */
    public List<JsonReader> objects(String field) {
        List<JsonReader> out = new ArrayList<>();
        int i = 0;
        for (JsonNode v : array(field)) {
            String p = at(field) + "[" + i++ + "]";
            if (!v.isObject()) {
                throw new InvalidSpec(p + ": expected an object, not " + v);
            }
            out.add(new JsonReader(v, p));
        }
        return out;
    }

    private List<JsonNode> array(String field) {
        JsonNode v = get(field);
        List<JsonNode> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new InvalidSpec(at(field) + ": expected an array, not " + v);
        }
        v.forEach(out::add);
        return out;
    }

    /** This object's path, for messages about a field's value. */
    public String path(String field) {
        return at(field);
    }

    /** Refuses the fields that were sent with a value but never read: Shoal would not apply them. */
    public void done() {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (read.contains(e.getKey()) || isEmpty(e.getValue())) {
                continue;
            }
            String dflt = defaults.get(e.getKey());
            if (dflt != null && e.getValue().isTextual() && e.getValue().asText().equals(dflt)) {
                continue;
            }
            throw new InvalidSpec(at(e.getKey()) + ": not supported by Shoal");
        }
    }

    /** Docker's zero values: what a Go client sends for a field it does not set. */
    static boolean isEmpty(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return true;
        }
        if (v.isBoolean()) {
            return !v.asBoolean();
        }
        if (v.isNumber()) {
            return v.asDouble() == 0;
        }
        if (v.isTextual()) {
            return v.asText().isEmpty();
        }
        if (v.isContainerNode()) {
            for (JsonNode c : v) {
                if (!isEmpty(c)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
