package io.shoal.worker.exec;

import io.shoal.api.Config;
import io.shoal.api.Secret;

import java.util.Optional;

/**
 * The secrets and configs a task's container reads, by id, as the managers sent them to this node
 * (held in memory only). A controller gets a view limited to what its task's spec names, so one
 * task cannot read another's secrets.
 */
public interface Dependencies {
    /** The secret with its value, when the task names it and this node has it. */
    Optional<Secret> secret(String id);

    /** The config with its content, when the task names it and this node has it. */
    Optional<Config> config(String id);

    /** Nothing at all: for tasks that read no secret or config, and for tests. */
    Dependencies NONE = new Dependencies() {
        @Override
        public Optional<Secret> secret(String id) {
            return Optional.empty();
        }

        @Override
        public Optional<Config> config(String id) {
            return Optional.empty();
        }
    };
}
