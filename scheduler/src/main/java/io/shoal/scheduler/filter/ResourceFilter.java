package io.shoal.scheduler.filter;

import io.shoal.api.Resources;
import io.shoal.api.Task;
import io.shoal.scheduler.NodeInfo;

/** The node has the CPU or the memory the task reserves, beyond what its other tasks reserve. */
public final class ResourceFilter implements Filter {
    public enum Kind { CPU, MEMORY }

    private final Kind kind;
    private long wanted;

    public ResourceFilter(Kind kind) {
        this.kind = kind;
    }

    @Override
    public boolean setTask(Task task) {
        Resources r = task.getSpec().getResources().getReservations();
        wanted = kind == Kind.CPU ? r.getNanoCpus() : r.getMemoryBytes();
        return wanted > 0;
    }

    @Override
    public boolean check(NodeInfo node) {
        return (kind == Kind.CPU ? node.freeCpu() : node.freeMemory()) >= wanted;
    }

    @Override
    public String explain(int nodes) {
        return "insufficient " + (kind == Kind.CPU ? "CPU" : "memory") + " on " + Filter.nodes(nodes);
    }
}
