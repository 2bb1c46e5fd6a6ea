package io.shoal.cli.commands;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for the rows listings print and their templates see. */
final class Rows {
    private Rows() {}

    /** An id as tables show it: its first 12 characters. */
    static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }

    /** A copy of {@code row} with {@code key} set to {@code value} (same key order). */
    static Map<String, Object> with(Map<String, Object> row, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(row);
        m.put(key, value);
        return m;
    }
}
