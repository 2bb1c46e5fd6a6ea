package io.shoal.net.dns;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * One running task of a service as DNS sees it on one network.
 *
 * @param slot     the task's slot (replicated services) or node id (global services): the task answers
 *                 to {@code SERVICE.SLOT} and {@code SERVICE.SLOT.TASKID}; null with taskId null for a
 *                 task that only counts in {@code tasks.SERVICE}
 * @param taskId   the task id
 * @param hostname the container's hostname, which also resolves to the task; null or blank for none
 * @param ip       the task's address on this network
 */
public record TaskEntry(String slot, String taskId, String hostname, Inet4Address ip) {
    public TaskEntry {
        if ((slot == null) != (taskId == null)) {
            throw new IllegalArgumentException("slot and taskId go together: " + slot + ", " + taskId);
        }
        slot = slot == null ? null : Names.label("slot", slot);
        taskId = taskId == null ? null : Names.label("taskId", taskId);
        hostname = hostname == null || hostname.isBlank() ? null : Names.normalize(hostname);
        Objects.requireNonNull(ip, "ip");
    }

    /** A task answering to {@code SERVICE.SLOT} and {@code SERVICE.SLOT.TASKID}, with no hostname. */
    public static TaskEntry of(String slot, String taskId, Inet4Address ip) {
        return new TaskEntry(slot, taskId, null, ip);
    }

    /** A task known only by its address. */
    public static TaskEntry anonymous(Inet4Address ip) {
        return new TaskEntry(null, null, null, ip);
    }
}
