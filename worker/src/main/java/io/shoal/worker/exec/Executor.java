package io.shoal.worker.exec;

import io.shoal.api.Task;

/** Makes the {@link Controller} for a task. One executor per worker (runc/crun under conmon, or a fake in tests). */
public interface Executor {
    Controller controller(Task task) throws ExecException;
}
