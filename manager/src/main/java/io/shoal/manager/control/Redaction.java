package io.shoal.manager.control;

import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;

/**
 * Registry credentials in a spec ({@code --with-registry-auth}) go to the nodes that pull the image
 * (through their assignments) and nowhere else: what the Control API hands back to a client shows
 * {@link #REDACTED} in their place. An update that sends the marker back unchanged keeps the stored
 * credentials, so a read-modify-write through the CLI does not lose them.
 */
final class Redaction {
    static final String REDACTED = "<redacted>";

    private Redaction() {}

    static TaskSpec task(TaskSpec t) {
        if (t.getContainer().getPullOptions().getRegistryAuth().isEmpty()) {
            return t;
        }
        TaskSpec.Builder b = t.toBuilder();
        b.getContainerBuilder().getPullOptionsBuilder().setRegistryAuth(REDACTED);
        return b.build();
    }

    static ServiceSpec spec(ServiceSpec s) {
        return s.toBuilder().setTask(task(s.getTask())).build();
    }

    static Service service(Service s) {
        Service.Builder b = s.toBuilder().setSpec(spec(s.getSpec()));
        if (s.hasPreviousSpec()) {
            b.setPreviousSpec(spec(s.getPreviousSpec()));
        }
        return b.build();
    }

    static Task task(Task t) {
        return t.toBuilder().setSpec(task(t.getSpec())).build();
    }

    /** The spec to store for an update: a redaction marker sent back means "keep what is stored". */
    static ServiceSpec keepStored(ServiceSpec incoming, ServiceSpec stored) {
        if (!incoming.getTask().getContainer().getPullOptions().getRegistryAuth().equals(REDACTED)) {
            return incoming;
        }
        ServiceSpec.Builder b = incoming.toBuilder();
        b.getTaskBuilder().getContainerBuilder().getPullOptionsBuilder()
                .setRegistryAuth(stored.getTask().getContainer().getPullOptions().getRegistryAuth());
        return b.build();
    }
}
