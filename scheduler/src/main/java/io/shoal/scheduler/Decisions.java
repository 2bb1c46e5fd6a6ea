package io.shoal.scheduler;

import io.shoal.api.Task;

import java.util.List;

/** The outcome of one scheduling pass: tasks placed on nodes, and tasks left pending with the reason. */
public record Decisions(List<Placement> placed, List<Pending> pending) {
    public record Placement(Task task, String nodeId) {}

    public record Pending(Task task, String reason) {}
}
