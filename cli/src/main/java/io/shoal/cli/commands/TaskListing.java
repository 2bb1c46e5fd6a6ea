package io.shoal.cli.commands;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.PortConfig;
import io.shoal.api.Task;
import io.shoal.cli.output.ListFormat;
import io.shoal.cli.output.Table;
import io.shoal.cli.output.Units;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.ListFilters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The task list of {@code service ps} and {@code node ps}: the tasks of several services or nodes
 * (history included), docker's task filters, and its columns ID NAME IMAGE NODE DESIRED STATE
 * CURRENT STATE ERROR PORTS, a slot's older tasks under its newest ({@code \_ }).
 */
final class TaskListing {
    static final List<String> FIELDS = List.of("ID", "Name", "Image", "Node", "DesiredState", "CurrentState", "Error", "Ports");

    private final List<Task> tasks = new ArrayList<>();
    private final Map<String, String> hostnames = new HashMap<>();
    private final Map<String, String> serviceNames = new HashMap<>();
    /** What could not be listed ("no such service: x"), one line each, in the order asked. */
    private final List<String> missing = new ArrayList<>();

    /** The tasks of each of {@code refs}, asked one by one through {@code ask}; a ref that names nothing is noted, not fatal. */
    static TaskListing of(List<String> refs, Function<String, ListTasksResponse> ask) {
        TaskListing l = new TaskListing();
        Map<String, Task> seen = new LinkedHashMap<>();
        for (String ref : refs) {
            ListTasksResponse r;
            try {
                r = ask.apply(ref);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
                l.missing.add(e.getStatus().getDescription());
                continue;
            }
            r.getTasksList().forEach(t -> seen.putIfAbsent(t.getId(), t));
            l.hostnames.putAll(r.getNodeHostnamesMap());
            l.serviceNames.putAll(r.getServiceNamesMap());
        }
        l.tasks.addAll(seen.values());
        return l;
    }

    static ListTasksRequest byService(String ref) {
        return ListTasksRequest.newBuilder().setService(ref).build();
    }

    static ListTasksRequest byNode(String ref) {
        return ListTasksRequest.newBuilder().setNode(ref).build();
    }

    List<String> missing() {
        return missing;
    }

    String name(Task t) {
        if (!t.getAnnotations().getName().isEmpty()) {
            return t.getAnnotations().getName();
        }
        return serviceNames.getOrDefault(t.getServiceId(), t.getServiceId()) + "." + (t.getSlot() > 0 ? t.getSlot() : t.getNodeId());
    }

    /** A slot of a replicated service, or a node of a global one: where a task's history lines up. */
    private static String slotKey(Task t) {
        return t.getServiceId() + "/" + (t.getSlot() > 0 ? Long.toString(t.getSlot()) : t.getNodeId());
    }

    /** Keeps the tasks the filters match; by service name, then slot (or node), newest first. */
    TaskListing filter(Filters f) {
        Filters checked = ListFilters.tasks(f);
        tasks.removeIf(t -> !ListFilters.matches(checked, t, name(t), serviceNames.getOrDefault(t.getServiceId(), ""),
                hostnames.getOrDefault(t.getNodeId(), "")));
        tasks.sort(Comparator.comparing((Task t) -> serviceNames.getOrDefault(t.getServiceId(), t.getServiceId()))
                .thenComparingLong(Task::getSlot).thenComparing(t -> t.getSlot() > 0 ? "" : t.getNodeId())
                .thenComparing(Comparator.comparingLong((Task t) -> t.getMeta().getVersion()).reversed()));
        return this;
    }

    void print(PrintWriter out, ListFormat format, boolean quiet, boolean noTrunc) {
        if (quiet) {
            tasks.forEach(t -> out.println(t.getId()));
            out.flush();
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> display = new ArrayList<>();
        Table table = new Table("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS");
        String prevSlot = "";
        for (Task t : tasks) {
            String name = name(t);
            String current = ServiceCommand.state(t.getStatus().getState()) + " "
                    + Units.ago(Duration.between(Instant.ofEpochMilli(t.getStatus().getTimestampMs()), Instant.now()));
            String err = t.getStatus().getErr();
            String node = hostnames.getOrDefault(t.getNodeId(), "");
            // as docker shows them: the host-mode ports the task holds on its node
            String ports = ServiceFlags.portsText(t.getEndpoint().getPortsList().stream()
                    .filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST).toList());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", t.getId());
            m.put("Name", name);
            m.put("Image", t.getSpec().getContainer().getImage());
            m.put("Node", node);
            m.put("DesiredState", ServiceCommand.state(t.getDesiredState()));
            m.put("CurrentState", current);
            m.put("Error", err);
            m.put("Ports", ports);
            rows.add(m);
            String id = noTrunc ? t.getId() : Rows.shortId(t.getId());
            String shownErr = noTrunc || err.length() <= 60 ? err : err.substring(0, 57) + "...";
            // templates and the table show the tag without its pinned digest (unless --no-trunc), as docker's; JSON keeps it
            String image = noTrunc ? t.getSpec().getContainer().getImage() : PinnedImages.shown(t.getSpec().getContainer().getImage());
            display.add(Rows.with(Rows.with(Rows.with(m, "ID", id), "Error", shownErr), "Image", image));
            boolean history = slotKey(t).equals(prevSlot);
            prevSlot = slotKey(t);
            table.row(id, (history ? " \\_ " : "") + name, image, node,
                    ServiceCommand.state(t.getDesiredState()), current, shownErr, ports);
        }
        if (format instanceof ListFormat.Default) {
            table.print(out);
        } else {
            format.print(out, FIELDS, rows, display);
        }
    }
}
