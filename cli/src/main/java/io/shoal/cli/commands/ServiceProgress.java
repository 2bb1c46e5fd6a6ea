package io.shoal.cli.commands;

import io.shoal.api.PortConfig;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a service's progress looks like, as docker's CLI shows it while it waits: where the update
 * stands, each slot's task of the current spec (for up to {@value #MAX_SLOTS} slots, or nodes for
 * global services) and {@code overall progress: N out of M tasks}. Lines for people, one per
 * change: each snapshot gives the lines that differ from what was shown before (no terminal
 * control characters, so it reads the same in a log).
 */
final class ServiceProgress {
    /** Above this many slots only the overall line is shown (docker draws at most 20 bars). */
    static final int MAX_SLOTS = 20;

    private final Map<String, String> shown = new HashMap<>();

    /** A snapshot's state of a service's convergence. */
    record State(long running, long desired, long completed, boolean job) {
        boolean converged() {
            return job ? completed >= desired : running >= desired;
        }
    }

    /**
     * The task was made from the service's current spec: its spec version, or else the same task
     * spec and host-mode ports (a scale leaves tasks up to date), as the managers judge it.
     */
    static boolean upToDate(Service s, Task t) {
        return t.getSpecVersion() == s.getSpecVersion() && t.getSpecVersion() != 0
                || t.getSpec().equals(s.getSpec().getTask()) && hostPorts(t.getEndpoint().getPortsList()).equals(hostPorts(s.getEndpoint().getPortsList()));
    }

    private static List<PortConfig> hostPorts(List<PortConfig> ports) {
        return ports.stream().filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST).toList();
    }

    private static boolean wanted(Task t) {
        return t.getDesiredState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE;
    }

    /** How far the service is: its up-to-date running (or completed, for jobs) tasks against what it wants. */
    static State state(Service s, List<Task> tasks) {
        ServiceSpec spec = s.getSpec();
        boolean job = spec.hasReplicatedJob() || spec.hasGlobalJob();
        long running = 0;
        Map<String, Boolean> nodes = new HashMap<>();
        Map<Long, Boolean> completedSlots = new HashMap<>();
        Map<String, Boolean> completedNodes = new HashMap<>();
        for (Task t : tasks) {
            boolean current = upToDate(s, t);
            boolean complete = t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE;
            if (wanted(t) || current && complete) {
                nodes.put(t.getNodeId(), true);
            }
            if (current && wanted(t) && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING) {
                running++;
            }
            if (current && complete) {
                completedSlots.put(t.getSlot(), true);
                completedNodes.put(t.getNodeId(), true);
            }
        }
        long desired = switch (spec.getModeCase()) {
            case GLOBAL, GLOBAL_JOB -> nodes.size();
            case REPLICATED_JOB -> spec.getReplicatedJob().getTotalCompletions();
            default -> spec.getReplicated().getReplicas();
        };
        long completed = spec.hasReplicatedJob() ? completedSlots.size() : completedNodes.size();
        return new State(running, desired, completed, job);
    }

    /** The lines that changed since the last snapshot ({@code hostnames}: node id to hostname, for global services). */
    List<String> update(Service s, List<Task> tasks, Map<String, String> hostnames) {
        List<String> out = new ArrayList<>();
        UpdateStatus st = s.getUpdateStatus();
        if (st.getState() != UpdateStatus.State.UNKNOWN) {
            String name = st.getState().name().toLowerCase().replace('_', ' ');
            show(out, "update", "update: " + name + (st.getMessage().isEmpty() ? "" : " (" + st.getMessage() + ")"));
        }
        boolean global = s.getSpec().hasGlobal() || s.getSpec().hasGlobalJob();
        Map<String, Task> bySlot = new TreeMap<>(global ? Comparator.naturalOrder() : Comparator.comparingLong(Long::parseLong));
        for (Task t : tasks) {
            if (!upToDate(s, t)) {
                continue;
            }
            String key = global ? hostnames.getOrDefault(t.getNodeId(), t.getNodeId()) : String.valueOf(t.getSlot());
            if (key.isEmpty()) {
                continue; // a global task not on a node yet
            }
            Task seen = bySlot.get(key);
            if (seen == null || better(t, seen)) {
                bySlot.put(key, t);
            }
        }
        State state = state(s, tasks);
        if (bySlot.size() <= MAX_SLOTS) {
            long desired = state.desired();
            bySlot.forEach((key, t) -> {
                if (global || Long.parseLong(key) <= desired) {
                    show(out, "slot " + key, (global ? key : key + "/" + desired) + ": " + describe(t));
                }
            });
        }
        boolean rollback = st.getState() == UpdateStatus.State.ROLLBACK_STARTED || st.getState() == UpdateStatus.State.ROLLBACK_PAUSED
                || st.getState() == UpdateStatus.State.ROLLBACK_COMPLETED;
        String overall = state.job()
                ? "overall progress: " + state.completed() + " out of " + state.desired() + " tasks completed"
                : (rollback ? "rolling back update: " : "overall progress: ") + Math.min(state.running(), state.desired())
                        + " out of " + state.desired() + " tasks";
        show(out, "overall", overall);
        return out;
    }

    /** As docker picks a slot's task to show: the one meant to run over finished ones, then the most advanced, then the newest. */
    private static boolean better(Task t, Task seen) {
        if (wanted(t) != wanted(seen)) {
            return wanted(t);
        }
        int a = t.getStatus().getState().getNumber();
        int b = seen.getStatus().getState().getNumber();
        if (wanted(t) && a != b) {
            return a > b;
        }
        return t.getMeta().getCreatedMs() > seen.getMeta().getCreatedMs()
                || t.getMeta().getCreatedMs() == seen.getMeta().getCreatedMs() && t.getMeta().getVersion() > seen.getMeta().getVersion();
    }

    /** "running", "preparing", "failed: task: non-zero exit (1)", "pending: no suitable node (...)". */
    static String describe(Task t) {
        String state = t.getStatus().getState().name().substring("TASK_STATE_".length()).toLowerCase();
        String err = t.getStatus().getErr().replace('\n', ' ');
        if (err.length() > 75) {
            err = err.substring(0, 74) + "…";
        }
        return err.isEmpty() ? state : state + ": " + err;
    }

    private void show(List<String> out, String key, String line) {
        if (!line.equals(shown.put(key, line))) {
            out.add(line);
        }
    }

    /** For tests: the lines shown last, by key. */
    Map<String, String> shown() {
        return new LinkedHashMap<>(shown);
    }
}
