package io.shoal.net.dns;

import java.util.Locale;

/** How names compare: lower case, no trailing dot. */
final class Names {
    private Names() {}

    static String normalize(String name) {
        if (name == null) {
            throw new IllegalArgumentException("name is null");
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty()) {
            throw new IllegalArgumentException("empty DNS name: '" + name + "'");
        }
        return n;
    }

    /** A name part that must stay one label, so that SERVICE.SLOT.TASKID is unambiguous. */
    static String label(String what, String value) {
        String n = normalize(value);
        if (n.contains(".")) {
            throw new IllegalArgumentException(what + " must not contain a dot: '" + value + "'");
        }
        return n;
    }
}
