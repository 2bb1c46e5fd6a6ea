package io.shoal.engineapi;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.shoal.api.LogLine;
import io.shoal.api.ServiceLogsRequest;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;

/**
 * Service and task logs as dockerd streams them: each line framed for docker's multiplexed stream
 * (an 8-byte header: stream 1 stdout or 2 stderr, three zero bytes, the length big-endian), with
 * the timestamp and the task's details ({@code com.docker.swarm.node.id=...,...}) in front when
 * asked, which docker's CLI reads to print {@code web.1.abc@node | line}.
 */
final class LogStreams {
    /** Go's RFC3339NanoFixed, which dockerd stamps log lines with. */
    private static final DateTimeFormatter NANO_FIXED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private final Backend backend;

    LogStreams(Backend backend) {
        this.backend = backend;
    }

    /** What one request asked for. */
    record Options(boolean stdout, boolean stderr, boolean follow, long tail, boolean timestamps, boolean details) {
        static Options of(Request req) {
            boolean out = req.flag("stdout");
            boolean err = req.flag("stderr");
            if (!out && !err) {
                throw ApiError.badRequest("Bad parameters: you must choose at least one stream");
            }
            String since = req.query("since");
            if (since != null && !since.isEmpty() && !since.equals("0")) {
                throw ApiError.badRequest("since: not supported by Shoal (use tail)");
            }
            String until = req.query("until");
            if (until != null && !until.isEmpty() && !until.equals("0")) {
                throw ApiError.badRequest("until: not supported by Shoal");
            }
            String t = req.query("tail");
            long tail;
            if (t == null || t.isEmpty() || t.equals("all")) {
                tail = -1;
            } else {
                try {
                    tail = Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw ApiError.badRequest("invalid value for tail: '" + t + "' (a number or all)");
                }
            }
            return new Options(out, err, req.flag("follow"), tail, req.flag("timestamps"), req.flag("details"));
        }
    }

    /** Streams the logs of {@code target} (a service id or a task id) of service {@code serviceId}. */
    void stream(String target, String serviceId, Options o, Exchange ex) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        try (Exchange.Stream s = ex.stream("application/vnd.docker.multiplexed-stream")) {
            s.onClose(() -> ctx.cancel(null));
            ctx.run(() -> {
                Iterator<LogLine> lines = backend.streaming().serviceLogs(ServiceLogsRequest.newBuilder().setTarget(target)
                        .setFollow(o.follow()).setTail(o.tail() < 0 ? 0 : o.tail()).build());
                try {
                    if (o.tail() == 0) {
                        return;
                    }
                    while (s.open() && lines.hasNext()) {
                        LogLine l = lines.next();
                        boolean err = l.getStream().equals("stderr");
                        if (err ? o.stderr() : o.stdout()) {
                            s.write(frame(err, line(l, serviceId, o)));
                        }
                    }
                } catch (StatusRuntimeException e) {
                    if (s.open()) {
                        s.write(frame(true, ("error from daemon in stream: " + e.getStatus().getDescription() + "\n")
                                .getBytes(StandardCharsets.UTF_8)));
                    }
                }
            });
        } finally {
            ctx.cancel(null);
        }
    }

    static byte[] line(LogLine l, String serviceId, Options o) {
        StringBuilder b = new StringBuilder();
        if (o.timestamps()) {
            b.append(NANO_FIXED.format(Instant.ofEpochMilli(l.getTimeMs()))).append(' ');
        }
        if (o.details()) {
            b.append("com.docker.swarm.node.id=").append(esc(l.getNode()))
                    .append(",com.docker.swarm.service.id=").append(esc(serviceId))
                    .append(",com.docker.swarm.task.id=").append(esc(l.getTaskId())).append(' ');
        }
        b.append(l.getText());
        if (!l.getText().endsWith("\n")) {
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String esc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    /** One frame of docker's multiplexed stream. */
    static byte[] frame(boolean stderr, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.put((byte) (stderr ? 2 : 1)).put((byte) 0).put((byte) 0).put((byte) 0).putInt(payload.length).put(payload);
        return b.array();
    }
}
