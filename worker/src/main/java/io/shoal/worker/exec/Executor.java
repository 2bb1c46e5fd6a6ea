package io.shoal.worker.exec;

import io.shoal.api.Task;

import java.util.List;

/** Makes the {@link Controller} for a task. One executor per worker (runc/crun under conmon, or a fake in tests). */
public interface Executor {
    Controller controller(Task task) throws ExecException;

    /**
     * The controller of a task that reads secrets or configs: {@code deps} holds those its spec
     * names. Executors that mount none (fakes) take the one-argument form.
     */
    default Controller controller(Task task, Dependencies deps) throws ExecException {
        return controller(task);
    }

    /**
     * The ids of the tasks whose containers exist on this host (running, or exited and not yet
     * removed): what a restarted worker compares with its assignments to adopt the ones it still
     * has and remove the ones it no longer should run.
     */
    default List<String> existingTaskIds() throws ExecException {
        return List.of();
    }
}
