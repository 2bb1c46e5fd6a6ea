package io.shoal.chaos.run;

import io.grpc.StatusRuntimeException;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.Service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The convergence check: once every fault is healed, every manager serves the same services (read
 * through each manager, whose reads pass a Raft barrier and then read its own store), each with the
 * same version and register value.
 */
final class Convergence {
    /** What one manager serves: service name -> "version value". */
    record State(Map<String, String> services) {}

    private Convergence() {}

    static State read(Managers managers, String host) {
        Map<String, String> out = new TreeMap<>();
        for (Service s : managers.control(host, 10_000).listServices(ListServicesRequest.getDefaultInstance()).getServicesList()) {
            out.put(s.getSpec().getAnnotations().getName(), s.getMeta().getVersion() + " " + Specs.value(s.getSpec()));
        }
        return new State(out);
    }

    /** Polls until every manager serves the same state; returns it, or fails naming the differences. */
    static State await(Managers managers, List<String> hosts, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            State first = null;
            boolean same = true;
            try {
                for (String h : hosts) {
                    State s = read(managers, h);
                    if (first == null) {
                        first = s;
                    } else if (!Objects.equals(first, s)) {
                        same = false;
                        last = h + " differs from " + hosts.getFirst() + ": " + diff(first.services(), s.services());
                    }
                }
                if (same) {
                    return first;
                }
            } catch (StatusRuntimeException e) {
                last = e.getStatus().toString();
            }
            Pause.briefly(200);
        }
        throw new AssertionError("the managers did not converge within " + timeout + ": " + last);
    }

    private static String diff(Map<String, String> a, Map<String, String> b) {
        Map<String, String> d = new TreeMap<>();
        for (String k : a.keySet()) {
            if (!Objects.equals(a.get(k), b.get(k))) {
                d.put(k, a.get(k) + " vs " + b.get(k));
            }
        }
        for (String k : b.keySet()) {
            if (!a.containsKey(k)) {
                d.put(k, "absent vs " + b.get(k));
            }
        }
        return d.toString();
    }
}
