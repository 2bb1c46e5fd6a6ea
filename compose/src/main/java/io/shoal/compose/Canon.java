package io.shoal.compose;

import java.util.List;
import java.util.Map;

/** Reads of the canonical tree the {@link Normalizer} wrote (its types are known, so these only cast). */
final class Canon {
    private Canon() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? List.of() : (List<T>) v;
    }

    static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? "" : (String) v;
    }

    static long num(Map<String, Object> m, String k, long otherwise) {
        Object v = m.get(k);
        return v == null ? otherwise : ((Number) v).longValue();
    }

    static boolean flag(Map<String, Object> m, String k) {
        return Boolean.TRUE.equals(m.get(k));
    }

    static long millis(Map<String, Object> m, String k) {
        return Units.durationMillis((String) m.get(k));
    }

    /** A mapping of strings as a Map<String, String>. */
    @SuppressWarnings("unchecked")
    static Map<String, String> strings(Map<String, Object> m, String k) {
        return (Map<String, String>) (Map<?, ?>) map(m, k);
    }
}
