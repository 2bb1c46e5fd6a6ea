package io.shoal.chaos.run;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;

/** The services the clients use: with no replicas, so that a run measures the managers alone. */
final class Specs {
    static final String REGISTER_LABEL = "chaos.register";
    static final String REGISTER_PREFIX = "chaos-reg-";
    static final String SET_PREFIX = "chaos-set-";

    private Specs() {}

    static ServiceSpec idle(String name) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox:latest")))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(0)).build();
    }

    static ServiceSpec register(String name, long value) {
        ServiceSpec s = idle(name);
        return withValue(s, value);
    }

    static ServiceSpec withValue(ServiceSpec s, long value) {
        return s.toBuilder().setAnnotations(s.getAnnotations().toBuilder().putLabels(REGISTER_LABEL, Long.toString(value))).build();
    }

    static long value(ServiceSpec s) {
        return Long.parseLong(s.getAnnotations().getLabelsOrDefault(REGISTER_LABEL, "-1"));
    }
}
