package io.shoal.dockermodel;

import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateStatus;

import java.util.Locale;

/** Shoal's enums under the lowercase names docker's API gives them, both ways. */
public final class Names {
    private Names() {}

    /** {@code running}, {@code shutdown}, ... as docker names task states. */
    public static String taskState(TaskState s) {
        if (s == TaskState.UNRECOGNIZED) {
            return "unknown";
        }
        return s.name().substring("TASK_STATE_".length()).toLowerCase(Locale.ROOT);
    }

    /** The task state docker calls {@code name}; empty when there is none. */
    public static TaskState taskState(String name) {
        for (TaskState s : TaskState.values()) {
            if (s != TaskState.UNRECOGNIZED && taskState(s).equals(name)) {
                return s;
            }
        }
        return null;
    }

    public static String role(NodeRole r) {
        return r == NodeRole.NODE_ROLE_MANAGER ? "manager" : "worker";
    }

    public static NodeRole role(String path, String name) {
        return switch (name) {
            case "manager" -> NodeRole.NODE_ROLE_MANAGER;
            case "worker" -> NodeRole.NODE_ROLE_WORKER;
            default -> throw new InvalidSpec(path + ": '" + name + "' is not one of worker, manager");
        };
    }

    public static String availability(NodeAvailability a) {
        return switch (a) {
            case NODE_AVAILABILITY_PAUSE -> "pause";
            case NODE_AVAILABILITY_DRAIN -> "drain";
            default -> "active";
        };
    }

    public static NodeAvailability availability(String path, String name) {
        return switch (name) {
            case "active" -> NodeAvailability.NODE_AVAILABILITY_ACTIVE;
            case "pause" -> NodeAvailability.NODE_AVAILABILITY_PAUSE;
            case "drain" -> NodeAvailability.NODE_AVAILABILITY_DRAIN;
            default -> throw new InvalidSpec(path + ": '" + name + "' is not one of active, pause, drain");
        };
    }

    public static String nodeState(NodeStatus.State s) {
        return switch (s) {
            case READY -> "ready";
            case DOWN -> "down";
            case DISCONNECTED -> "disconnected";
            default -> "unknown";
        };
    }

    public static String updateState(UpdateStatus.State s) {
        return switch (s) {
            case UPDATING -> "updating";
            case PAUSED -> "paused";
            case COMPLETED -> "completed";
            case ROLLBACK_STARTED -> "rollback_started";
            case ROLLBACK_PAUSED -> "rollback_paused";
            case ROLLBACK_COMPLETED -> "rollback_completed";
            default -> "";
        };
    }
}
