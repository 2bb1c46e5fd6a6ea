package io.shoal.e2e;

import io.shoal.api.Event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a rolling update's time goes, slot by slot, read from the cluster's task events (their
 * commit times: when the leader proposed the change). For each slot the update replaced: the new
 * task made (and the old one told to stop, in the same entry for stop-first), the new one placed,
 * prepared (READY), the old one stopped (SHUTDOWN reported), the new one let start (desired
 * RUNNING), and its RUNNING report; each as an offset from the new task's creation. And how soon a
 * slot's place in the window is taken again: from a RUNNING report to the next new task.
 */
final class UpdateTimeline {
    /** One task's milestones (epoch ms, 0 when not seen). */
    private static final class Marks {
        String slot;
        long created;
        long toldToStop;
        long assigned;
        long ready;
        long go;
        long starting;
        long running;
        long stopped;
    }

    private final Map<String, Marks> tasks = new LinkedHashMap<>();

    /** Reads the task events of one update; others are ignored. */
    static UpdateTimeline of(List<Event> events) {
        UpdateTimeline t = new UpdateTimeline();
        events.forEach(t::add);
        return t;
    }

    private void add(Event e) {
        if (!e.getType().equals("task")) {
            return;
        }
        Marks m = tasks.computeIfAbsent(e.getActorId(), id -> new Marks());
        long ms = e.getTimeNanos() / 1_000_000;
        Map<String, String> a = e.getAttributesMap();
        if (m.slot == null) {
            m.slot = a.get("name");
        }
        if (e.getAction().equals("create")) {
            m.created = ms;
        }
        String state = a.getOrDefault("state.new", a.get("state"));
        String desired = a.getOrDefault("desiredstate.new", a.get("desiredstate"));
        if (state != null) {
            switch (state.toLowerCase()) {
                case "assigned" -> m.assigned = first(m.assigned, ms);
                case "ready" -> m.ready = first(m.ready, ms);
                case "starting" -> m.starting = first(m.starting, ms);
                case "running" -> m.running = first(m.running, ms);
                case "shutdown", "complete", "failed" -> m.stopped = first(m.stopped, ms);
                default -> { }
            }
        }
        if (desired != null) {
            switch (desired.toLowerCase()) {
                case "running" -> m.go = first(m.go, ms);
                case "shutdown" -> m.toldToStop = first(m.toldToStop, ms);
                default -> { }
            }
        }
    }

    private static long first(long prev, long now) {
        return prev == 0 ? now : prev;
    }

    /** The lines to print: milestones per slot (p50, p90, max over slots) and the window's refill. */
    List<String> report() {
        Map<String, Marks> made = new HashMap<>();
        Map<String, Marks> old = new HashMap<>();
        for (Marks m : tasks.values()) {
            if (m.slot == null) {
                continue;
            }
            if (m.created != 0) {
                made.put(m.slot, m);
            } else if (m.toldToStop != 0) {
                old.put(m.slot, m);
            }
        }
        List<String> out = new ArrayList<>();
        out.add(String.format("%d slots replaced; offsets from the new task's creation, p50 / p90 / max over slots:", made.size()));
        line(out, "placed (ASSIGNED)", made.values(), m -> m.assigned);
        line(out, "prepared (READY)", made.values(), m -> m.ready);
        line(out, "old task stopped (SHUTDOWN)", made.values(), m -> old.containsKey(m.slot) ? old.get(m.slot).stopped : 0);
        line(out, "let start (desired RUNNING)", made.values(), m -> m.go);
        line(out, "STARTING", made.values(), m -> m.starting);
        line(out, "RUNNING", made.values(), m -> m.running);
        List<Long> runs = made.values().stream().map(m -> m.running).filter(x -> x != 0).sorted().toList();
        List<Long> makes = made.values().stream().map(m -> m.created).sorted().toList();
        List<Long> refill = new ArrayList<>();
        for (long r : runs) {
            makes.stream().filter(c -> c >= r).findFirst().ifPresent(c -> refill.add(c - r));
        }
        out.add("a RUNNING report -> the next new task: " + spread(refill) + " ms");
        return out;
    }

    private static void line(List<String> out, String what, Iterable<Marks> ms, Function<Marks, Long> mark) {
        List<Long> d = new ArrayList<>();
        for (Marks m : ms) {
            long at = mark.apply(m);
            if (at != 0) {
                d.add(at - m.created);
            }
        }
        out.add(String.format("  %-30s %s ms", what, spread(d)));
    }

    /** "p50 / p90 / max" of the values, or "-" without any. */
    static String spread(List<Long> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.get(v.size() / 2) + " / " + v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.9) - 1)) + " / " + v.getLast();
    }
}
