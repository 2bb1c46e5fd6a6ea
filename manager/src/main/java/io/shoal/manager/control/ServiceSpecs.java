package io.shoal.manager.control;

import io.shoal.api.PlacementPreference;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Resources;
import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateConfig;
import io.shoal.manager.network.PublishedPorts;
import io.shoal.manager.rpc.Calls;
import io.shoal.scheduler.Constraint;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Checks a service spec before it reaches the log, naming the field and what is allowed; fills in
 * defaults (replicated, 1 replica) the way swarm mode does.
 */
public final class ServiceSpecs {
    public static final long MAX_REPLICAS = 100_000;
    private static final String NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}";
    /** Docker's rule for volume names. */
    public static final String VOLUME_NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    private ServiceSpecs() {}

    public static ServiceSpec normalize(ServiceSpec spec) {
        ServiceSpec.Builder b = spec.toBuilder();
        if (b.getModeCase() == ServiceSpec.ModeCase.MODE_NOT_SET) {
            b.setReplicated(ReplicatedService.newBuilder().setReplicas(1));
        }
        ServiceSpec s = b.build();
        validate(s);
        return s;
    }

    static void validate(ServiceSpec s) {
        String name = s.getAnnotations().getName();
        if (!name.matches(NAME)) {
            throw Calls.invalid("name: '" + name + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        String image = s.getTask().getContainer().getImage();
        if (image.isBlank()) {
            throw Calls.invalid("image: an image is required");
        }
        if (image.chars().anyMatch(Character::isWhitespace) || image.chars().anyMatch(Character::isUpperCase) && !image.contains("/")) {
            throw Calls.invalid("image: '" + image + "' is not a valid image reference");
        }
        switch (s.getModeCase()) {
            case REPLICATED -> {
                if (s.getReplicated().getReplicas() > MAX_REPLICAS) {
                    throw Calls.invalid("replicas: " + s.getReplicated().getReplicas() + " is more than the limit of " + MAX_REPLICAS);
                }
            }
            case REPLICATED_JOB -> {
                if (s.getReplicatedJob().getTotalCompletions() > MAX_REPLICAS) {
                    throw Calls.invalid("replicas: " + s.getReplicatedJob().getTotalCompletions()
                            + " completions is more than the limit of " + MAX_REPLICAS);
                }
            }
            default -> { }
        }
        PublishedPorts.validate(s.getEndpoint());
        if (s.hasUpdate()) {
            validate(s.getUpdate(), "update");
        }
        if (s.hasRollback()) {
            validate(s.getRollback(), "rollback");
            if (s.getRollback().getFailureAction() == UpdateConfig.FailureAction.ROLLBACK) {
                throw Calls.invalid("rollback-failure-action: a rollback is never rolled back; use pause or continue");
            }
        }
        var placement = s.getTask().getPlacement();
        for (String c : placement.getConstraintsList()) {
            try {
                Constraint.parse(c);
            } catch (IllegalArgumentException e) {
                throw Calls.invalid(e.getMessage());
            }
        }
        for (PlacementPreference p : placement.getPreferencesList()) {
            String d = p.getSpreadDescriptor();
            if (!(d.startsWith("node.labels.") && d.length() > 12) && !(d.startsWith("engine.labels.") && d.length() > 14)) {
                throw Calls.invalid("placement-pref: spread=" + d + " must name node.labels.KEY or engine.labels.KEY");
            }
        }
        Resources lim = s.getTask().getResources().getLimits();
        Resources res = s.getTask().getResources().getReservations();
        for (Resources r : new Resources[] {lim, res}) {
            if (r.getNanoCpus() < 0 || r.getMemoryBytes() < 0 || r.getPids() < 0) {
                throw Calls.invalid("resources: limits and reservations must not be negative");
            }
        }
        if (lim.getMemoryBytes() > 0 && lim.getMemoryBytes() < 6L << 20) {
            throw Calls.invalid("limit-memory: " + lim.getMemoryBytes() + " bytes is below the minimum of 6M");
        }
        if (lim.getMemoryBytes() > 0 && res.getMemoryBytes() > lim.getMemoryBytes()) {
            throw Calls.invalid("reserve-memory: the reservation is larger than limit-memory");
        }
        if (lim.getNanoCpus() > 0 && res.getNanoCpus() > lim.getNanoCpus()) {
            throw Calls.invalid("reserve-cpu: the reservation is larger than limit-cpu");
        }
        var restart = s.getTask().getRestart();
        if (restart.getDelayMs() < 0 || restart.getWindowMs() < 0) {
            throw Calls.invalid("restart-delay and restart-window must not be negative");
        }
        if (s.getTask().getContainer().getStopGracePeriodMs() < 0) {
            throw Calls.invalid("stop-grace-period must not be negative");
        }
        if (s.getTask().getStopAfterDisconnectMs() < 0) {
            throw Calls.invalid("stop-tasks-after-disconnect must not be negative (0 means never)");
        }
        String auth = s.getTask().getContainer().getPullOptions().getRegistryAuth();
        if (!auth.isEmpty() && !auth.equals(Redaction.REDACTED) && !registryAuthValid(auth)) {
            throw Calls.invalid("registry auth: not base64 of 'user:password'");
        }
        var h = s.getTask().getContainer().getHealthcheck();
        if (h.getIntervalMs() < 0 || h.getTimeoutMs() < 0 || h.getStartPeriodMs() < 0) {
            throw Calls.invalid("health-interval, health-timeout and health-start-period must not be negative");
        }
        if (!h.getTestList().isEmpty() && List.of("CMD", "CMD-SHELL").contains(h.getTest(0)) && h.getTestCount() < 2) {
            throw Calls.invalid("health-cmd: " + h.getTest(0) + " needs a command");
        }
        for (var m : s.getTask().getContainer().getMountsList()) {
            if (!m.getTarget().startsWith("/")) {
                throw Calls.invalid("mount: target '" + m.getTarget() + "' must be an absolute path");
            }
            switch (m.getType()) {
                case BIND -> {
                    if (!m.getSource().startsWith("/")) {
                        throw Calls.invalid("mount: a bind source must be an absolute path, not '" + m.getSource() + "'");
                    }
                }
                case VOLUME -> {
                    if (!m.getSource().isEmpty() && !m.getSource().matches(VOLUME_NAME)) {
                        throw Calls.invalid("mount: volume name '" + m.getSource()
                                + "' must be letters, digits, '_', '.' or '-', starting with a letter or digit");
                    }
                }
                case TMPFS -> {
                    if (!m.getSource().isEmpty()) {
                        throw Calls.invalid("mount: a tmpfs mount takes no source");
                    }
                }
                default -> throw Calls.invalid("mount: unknown type " + m.getType());
            }
        }
    }

    /** An update or rollback config ({@code which}), named as the flags name its fields. */
    private static void validate(UpdateConfig c, String which) {
        if (c.getFailureAction() == UpdateConfig.FailureAction.UNRECOGNIZED) {
            throw Calls.invalid(which + "-failure-action: unknown (use pause, continue or rollback)");
        }
        if (c.getOrder() == UpdateConfig.Order.UNRECOGNIZED) {
            throw Calls.invalid(which + "-order: unknown (use stop-first or start-first)");
        }
        if (c.getDelayMs() < 0 || c.getMonitorMs() < 0 || c.getProgressDeadlineMs() < 0) {
            throw Calls.invalid(which + "-delay, " + which + "-monitor and " + which + "-progress-deadline must not be negative");
        }
        float r = c.getMaxFailureRatio();
        if (!(r >= 0 && r <= 1)) {
            throw Calls.invalid(which + "-max-failure-ratio: " + r + " is not between 0 and 1");
        }
    }

    private static boolean registryAuthValid(String auth) {
        try {
            String plain = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
            return plain.indexOf(':') > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
