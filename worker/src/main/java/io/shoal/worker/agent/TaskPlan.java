package io.shoal.worker.agent;

import io.shoal.api.Task;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one complete task set from the managers means for this worker, as a pure function of the
 * set and what runs here: every assigned task gets (or keeps) a runner and sees its latest version;
 * runners of tasks no longer assigned retire (stop and remove their container); and, the first time
 * after a start, containers left behind by tasks no longer assigned are removed. {@link TaskManager}
 * applies it.
 *
 * @param run      the assigned tasks, each to run (a new runner) or to update (an existing one)
 * @param retire   ids of tasks with a runner here that are no longer assigned
 * @param leftover ids of containers here whose task is no longer assigned (first set after a start)
 */
record TaskPlan(List<Task> run, List<String> retire, List<String> leftover) {

    /**
     * @param assigned the node's complete task set
     * @param running  ids of the tasks with a runner here
     * @param existing ids of the containers found here, on the first set after a start; null after
     */
    static TaskPlan of(List<Task> assigned, Collection<String> running, Collection<String> existing) {
        Set<String> ids = new HashSet<>();
        assigned.forEach(t -> ids.add(t.getId()));
        List<String> retire = running.stream().filter(id -> !ids.contains(id)).toList();
        List<String> leftover = existing == null ? List.of() : existing.stream().filter(id -> !ids.contains(id)).toList();
        return new TaskPlan(List.copyOf(assigned), retire, leftover);
    }
}
