package io.shoal.net.plane;

import java.util.ArrayList;
import java.util.List;

/** Command lines for the kernel tools the data plane runs, in a namespace or in our own. */
final class Argv {
    private Argv() {}

    /** {@code argv} run in namespace {@code netns} (a /run/netns name), or in our own when it is null. */
    static List<String> in(String netns, String... argv) {
        return netns == null ? List.of(argv) : concat(List.of("ip", "netns", "exec", netns), argv);
    }

    /** {@code head} followed by {@code tail}. */
    static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }
}
