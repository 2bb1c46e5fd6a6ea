package io.shoal.scheduler;

import io.shoal.api.Task;
import io.shoal.scheduler.filter.ConstraintFilter;
import io.shoal.scheduler.filter.Filter;
import io.shoal.scheduler.filter.HostPortFilter;
import io.shoal.scheduler.filter.MaxReplicasFilter;
import io.shoal.scheduler.filter.PlatformFilter;
import io.shoal.scheduler.filter.ReadyFilter;
import io.shoal.scheduler.filter.ResourceFilter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Runs the filters for one task over nodes. A node is rejected by the first filter that fails it;
 * the rejections per filter make the explanation a pending task shows.
 */
public final class Pipeline {
    private final List<Filter> all;
    private List<Filter> active = List.of();
    private final Map<Filter, Integer> rejected = new LinkedHashMap<>();

    public Pipeline() {
        this(List.of(new ReadyFilter(), new ResourceFilter(ResourceFilter.Kind.CPU),
                new ResourceFilter(ResourceFilter.Kind.MEMORY), new PlatformFilter(), new ConstraintFilter(),
                new HostPortFilter(), new MaxReplicasFilter()));
    }

    public Pipeline(List<Filter> filters) {
        this.all = List.copyOf(filters);
    }

    /** Prepares for a task; throws IllegalArgumentException if its spec cannot be evaluated (bad constraint). */
    public void setTask(Task task) {
        List<Filter> a = new ArrayList<>();
        for (Filter f : all) {
            if (f.setTask(task)) {
                a.add(f);
            }
        }
        active = a;
        rejected.clear();
    }

    public boolean check(NodeInfo node) {
        for (Filter f : active) {
            if (!f.check(node)) {
                rejected.merge(f, 1, Integer::sum);
                return false;
            }
        }
        return true;
    }

    /** "no suitable node (insufficient memory on 3 nodes; 1 node not available for new tasks)". */
    public String explain() {
        if (rejected.isEmpty()) {
            return "no suitable node (the cluster has no nodes)";
        }
        StringJoiner j = new StringJoiner("; ", "no suitable node (", ")");
        for (Filter f : all) {
            Integer n = rejected.get(f);
            if (n != null) {
                j.add(f.explain(n));
            }
        }
        return j.toString();
    }
}
