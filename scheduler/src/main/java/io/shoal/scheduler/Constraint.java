package io.shoal.scheduler;

import io.shoal.api.Node;
import io.shoal.api.NodeRole;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One placement constraint, {@code KEY==VALUE} or {@code KEY!=VALUE}, as swarm mode writes them.
 * Keys: node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.K,
 * engine.labels.K. Values compare case-insensitively except label values, which compare exactly.
 */
public record Constraint(String key, boolean equal, String value) {
    private static final String KEYS = "node.id, node.hostname, node.role, node.platform.os, node.platform.arch, "
            + "node.labels.KEY, engine.labels.KEY";

    /** Parses one constraint, or fails with a message naming what is wrong. */
    public static Constraint parse(String text) {
        String s = text == null ? "" : text.trim();
        int eq = s.indexOf("==");
        int ne = s.indexOf("!=");
        if ((eq < 0) == (ne < 0)) {
            throw new IllegalArgumentException("constraint '" + text + "': expected KEY==VALUE or KEY!=VALUE");
        }
        int at = eq >= 0 ? eq : ne;
        String key = s.substring(0, at).trim();
        String value = s.substring(at + 2).trim();
        if (key.isEmpty() || value.isEmpty() || value.contains("==") || value.contains("!=")) {
            throw new IllegalArgumentException("constraint '" + text + "': expected KEY==VALUE or KEY!=VALUE");
        }
        boolean known = switch (key) {
            case "node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch" -> true;
            default -> (key.startsWith("node.labels.") && key.length() > "node.labels.".length())
                    || (key.startsWith("engine.labels.") && key.length() > "engine.labels.".length());
        };
        if (!known) {
            throw new IllegalArgumentException("constraint '" + text + "': unknown key " + key + " (use " + KEYS + ")");
        }
        if (key.equals("node.role") && !value.equalsIgnoreCase("manager") && !value.equalsIgnoreCase("worker")) {
            throw new IllegalArgumentException("constraint '" + text + "': node.role is manager or worker");
        }
        return new Constraint(key, eq >= 0, value);
    }

    public static List<Constraint> parseAll(List<String> texts) {
        List<Constraint> out = new ArrayList<>(texts.size());
        texts.forEach(t -> out.add(parse(t)));
        return out;
    }

    /** The node's value for {@code key}; empty when the node has no such label. */
    public static Optional<String> valueOf(Node n, String key) {
        return switch (key) {
            case "node.id" -> Optional.of(n.getId());
            case "node.hostname" -> Optional.of(n.getDescription().getHostname());
            case "node.role" -> Optional.of(n.getRole() == NodeRole.NODE_ROLE_MANAGER ? "manager" : "worker");
            case "node.platform.os" -> Optional.of(n.getDescription().getPlatform().getOs());
            case "node.platform.arch" -> Optional.of(n.getDescription().getPlatform().getArchitecture());
            default -> key.startsWith("node.labels.")
                    ? Optional.ofNullable(n.getSpec().getAnnotations().getLabelsMap().get(key.substring("node.labels.".length())))
                    : key.startsWith("engine.labels.")
                    ? Optional.ofNullable(n.getDescription().getEngineLabelsMap().get(key.substring("engine.labels.".length())))
                    : Optional.empty();
        };
    }

    public boolean matches(Node n) {
        Optional<String> have = valueOf(n, key);
        boolean same = have.isPresent() && (key.contains(".labels.") ? have.get().equals(value) : have.get().equalsIgnoreCase(value));
        return equal == same;
    }
}
