package io.shoal.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ControlGrpc;
import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.api.EventFilterValues;
import io.shoal.api.EventsRequest;
import io.shoal.cli.output.Timestamps;
import io.shoal.cli.template.Template;
import io.shoal.dockermodel.EventFilters;
import io.shoal.dockermodel.EventJson;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code shoal events}: the cluster's changes as {@code docker events} prints them, from the
 * manager it talks to (every manager keeps them, so a leader change does not interrupt the
 * stream). When the stream breaks (that manager's daemon restarted, a connection dropped) it
 * resumes after the last event it printed, on whichever manager answers, for up to
 * {@link #RESUME_WINDOW_MS}: nothing is lost or printed twice.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Stream the cluster's changes (services, nodes, networks, secrets, configs, tasks) as docker events.")
public final class EventsCommand extends ClientCommand {
    /** How long a broken stream keeps trying to resume before it gives up. */
    static final long RESUME_WINDOW_MS = 60_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");
    private static final Set<Status.Code> RESUMABLE = Set.of(Status.Code.UNAVAILABLE, Status.Code.UNKNOWN, Status.Code.INTERNAL,
            Status.Code.CANCELLED);

    @Option(names = "--since", paramLabel = "TIME",
            description = "Show kept events from this time on: RFC 3339, a date, a Unix timestamp, or a duration before now (10m).")
    String since;
    @Option(names = "--until", paramLabel = "TIME", description = "Stop after this time (same forms as --since).")
    String until;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "type=service|node|network|secret|config|task, event=create|update|remove, service=, node=, network=, "
                    + "secret=, config=, task= (ID prefix or name), label=KEY[=VALUE] (an attribute), scope=swarm (repeatable).")
    List<String> filters = new ArrayList<>();
    @Option(names = "--format", paramLabel = "FORMAT",
            description = "json (one JSON object per line, as {{json .}}), or a Go template such as '{{.Type}} {{.Actor.Attributes.name}}'.")
    String format = "";

    @Override
    protected int execute() throws InterruptedException {
        Instant now = Instant.now();
        EventsRequest.Builder req = EventsRequest.newBuilder();
        req.setSinceNanos(time(since, "--since", now)).setUntilNanos(time(until, "--until", now));
        // an unknown key or type: one line, exit 2, before the daemon is asked
        Filters f = EventFilters.filters(Filters.args(filters, EventFilters.KEYS));
        f.asMap().forEach((k, vs) -> req.putFilters(k, EventFilterValues.newBuilder().addAllValues(vs).build()));
        Template template = format.isEmpty() || format.equals("json") ? null
                : Template.parse(format.replace("\\t", "\t").replace("\\n", "\n"), false);
        EventCursor last = null;
        long lastHeard = System.currentTimeMillis();
        int attempt = 0;
        while (true) {
            if (last != null) {
                req.setAfter(last);
            }
            try {
                Iterator<Event> it = ControlGrpc.newBlockingStub(channel()).events(req.build());
                while (it.hasNext()) {
                    Event e = it.next();
                    if (last == null || later(e.getCursor(), last)) {
                        last = e.getCursor();
                    }
                    lastHeard = System.currentTimeMillis();
                    attempt = 0;
                    if (!e.getType().isEmpty()) {
                        print(e, template);
                    }
                }
                return 0;
            } catch (StatusRuntimeException e) {
                boolean resumable = last != null && RESUMABLE.contains(e.getStatus().getCode())
                        && System.currentTimeMillis() - lastHeard < RESUME_WINDOW_MS;
                if (!resumable) {
                    throw e;
                }
                Thread.sleep(Math.min(2000, 100L << Math.min(attempt++, 5)));
            }
        }
    }

    /** Positions order by Raft index, then by the change's place in its entry. */
    static boolean later(EventCursor a, EventCursor b) {
        return a.getIndex() != b.getIndex() ? a.getIndex() > b.getIndex() : Integer.compareUnsigned(a.getOrdinal(), b.getOrdinal()) > 0;
    }

    private long time(String value, String flag, Instant now) {
        if (value == null) {
            return 0;
        }
        try {
            return Timestamps.parse(value, now, ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw usage(flag + ": " + e.getMessage());
        }
    }

    private void print(Event e, Template template) {
        if (format.equals("json")) {
            out().println(Json.write(EventJson.write(e)));
        } else if (template != null) {
            ObjectNode o = EventJson.write(e);
            out().println(template.render(o));
        } else {
            out().println(line(e));
        }
        out().flush();
    }

    /** As docker prints an event: local time with nanoseconds, type, action, id, and the attributes sorted. */
    static String line(Event e) {
        StringBuilder sb = new StringBuilder();
        Instant t = Instant.ofEpochSecond(0, e.getTimeNanos());
        sb.append(TIME.format(t.atZone(ZoneId.systemDefault()))).append(' ')
                .append(e.getType()).append(' ').append(e.getAction()).append(' ').append(e.getActorId());
        if (e.getAttributesCount() > 0) {
            List<String> attrs = new ArrayList<>();
            new TreeMap<>(e.getAttributesMap()).forEach((k, v) -> attrs.add(k + "=" + v));
            sb.append(" (").append(String.join(", ", attrs)).append(')');
        }
        return sb.toString();
    }
}
