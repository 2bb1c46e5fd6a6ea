package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a lab host's OCI runtimes really run, read from the runtimes themselves rather than from the
 * managers. A daemon uses crun when it is installed and runc otherwise (or the one its
 * {@code --runtime} names), and a host can hold containers of both (a node upgraded from a release
 * that ran runc keeps its old containers). runc and crun keep their state side by side under the same
 * {@code --root} and each lists only its own, so a host's containers are the union of both lists; a
 * container is signalled with the runtime its bundle records.
 */
final class HostContainers {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The runtimes a daemon may use, by the names it is given. */
    private static final List<String> RUNTIMES = List.of("runc", "crun");

    private HostContainers() {}

    /** The running containers of the daemon whose data directory is DATA: container id -> pid. */
    static Map<String, Long> running(Path data) {
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode c : list(data)) {
            if (c.path("status").asText().equals("running")) {
                out.put(c.path("id").asText(), c.path("pid").asLong());
            }
        }
        return out;
    }

    /** Every container (any status) of the daemon whose data directory is DATA, as the runtimes list them. */
    static List<JsonNode> list(Path data) {
        List<JsonNode> out = new ArrayList<>();
        for (String runtime : RUNTIMES) {
            if (!installed(runtime)) {
                continue;
            }
            List<String> cmd = List.of(runtime, "--root", state(data).toString(), "list", "--format", "json");
            Lab.Result r = Lab.run(cmd, Duration.ofSeconds(30));
            // a runtime lists the state directory, then reads each container's state: a container
            // removed in between can fail the whole listing with "no such file or directory"; list again
            for (int i = 0; i < 5 && r.code() != 0 && r.all().toLowerCase(Locale.ROOT).contains("no such file or directory"); i++) {
                r = Lab.run(cmd, Duration.ofSeconds(30));
            }
            if (r.code() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed: " + r.all());
            }
            try {
                JsonNode list = r.out().isBlank() ? null : JSON.readTree(r.out());
                if (list != null && list.isArray()) {
                    list.forEach(out::add);
                }
            } catch (IOException e) {
                throw new AssertionError(String.join(" ", cmd) + " printed no JSON: " + r.out(), e);
            }
        }
        return out;
    }

    /** Sends SIGNAL (e.g. KILL) to container ID of the daemon whose data directory is DATA, with the runtime that made it. */
    static Lab.Result kill(Path data, String id, String signal) {
        return Lab.run(List.of(runtimeOf(data, id), "--root", state(data).toString(), "kill", id, signal), Duration.ofSeconds(10));
    }

    /** The runtime (its path) that made container ID, as its bundle records it. */
    static String runtimeOf(Path data, String id) {
        Path record = data.resolve("containers/bundles").resolve(id).resolve("runtime");
        try {
            return Files.readString(record).strip();
        } catch (IOException e) {
            throw new AssertionError("no runtime recorded for " + id + " at " + record + ": " + e.getMessage(), e);
        }
    }

    private static Path state(Path data) {
        return data.resolve("containers/state");
    }

    private static boolean installed(String name) {
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
