package io.shoal.compose;

import java.util.Map;
import java.util.TreeMap;

/**
 * A stack's name and how its objects are named and labelled, as Docker does: {@code STACK_NAME},
 * labelled {@code com.docker.stack.namespace=STACK}.
 */
public record Namespace(String name) {
    public static final String LABEL = "com.docker.stack.namespace";
    /** The image as the compose file names it (Docker keeps it to tell a changed image). */
    public static final String IMAGE_LABEL = "com.docker.stack.image";
    private static final String VALID = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    public Namespace {
        if (name == null || !name.matches(VALID)) {
            throw new ComposeException("", "", "invalid stack name \"" + name
                    + "\": use letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    public String scope(String object) {
        return name + "_" + object;
    }

    /** {@code labels} plus the namespace label. */
    public Map<String, String> labels(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.put(LABEL, name);
        return out;
    }
}
