package io.shoal.worker.exec;

import io.shoal.api.Task;

/**
 * Plugs a task's container into its overlay networks: called by the executor once the container's
 * network namespace exists and before its process starts (so the task is never reported RUNNING
 * without its addresses), and again when the container is removed.
 */
public interface NetworkAttacher {
    NetworkAttacher NONE = new NetworkAttacher() {
        @Override
        public void attach(Task task, String netns) {
        }

        @Override
        public void detach(Task task) {
        }
    };

    /** @param netns the container's network namespace (a name under /run/netns) */
    void attach(Task task, String netns) throws ExecException;

    void detach(Task task) throws ExecException;

    /** The resolver the task's containers use (its first network's gateway), or null for none. */
    default String resolver(Task task) {
        return null;
    }
}
