package io.shoal.worker.logs;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.LogLine;
import io.shoal.api.NodeLogsGrpc;
import io.shoal.api.TaskLogsRequest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * This node's containers' logs, as conmon writes them (k8s-file: {@code TIME STREAM TAG TEXT}),
 * streamed to a manager: the last {@code tail} lines of each task, then, with {@code follow}, new
 * lines as they are written, until the caller goes away.
 */
public final class NodeLogsService extends NodeLogsGrpc.NodeLogsImplBase {
    private final Function<String, Path> logOf;
    private final String hostname;

    /** @param logOf the log file of a task id */
    public NodeLogsService(Function<String, Path> logOf, String hostname) {
        this.logOf = logOf;
        this.hostname = hostname;
    }

    @Override
    public void taskLogs(TaskLogsRequest req, StreamObserver<LogLine> observer) {
        ServerCallStreamObserver<LogLine> out = (ServerCallStreamObserver<LogLine>) observer;
        Thread.ofVirtual().name("task-logs").start(() -> {
            try {
                Map<String, Long> offsets = new HashMap<>();
                for (var e : req.getTasksMap().entrySet()) {
                    Path log = logOf.apply(e.getKey());
                    if (!Files.exists(log)) {
                        continue;
                    }
                    Deque<String> lines = new ArrayDeque<>();
                    long end;
                    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                        String l;
                        while ((l = f.readLine()) != null) {
                            lines.add(new String(l.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                            if (req.getTail() > 0 && lines.size() > req.getTail()) {
                                lines.removeFirst();
                            }
                        }
                        end = f.getFilePointer();
                    }
                    for (String l : lines) {
                        send(out, e.getKey(), e.getValue(), l);
                    }
                    offsets.put(e.getKey(), end);
                }
                while (req.getFollow() && !out.isCancelled()) {
                    Thread.sleep(200);
                    for (var e : req.getTasksMap().entrySet()) {
                        Path log = logOf.apply(e.getKey());
                        if (!Files.exists(log)) {
                            continue;
                        }
                        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                            long at = offsets.getOrDefault(e.getKey(), 0L);
                            f.seek(at > f.length() ? 0 : at); // conmon truncates on rotation
                            String l;
                            while ((l = f.readLine()) != null) {
                                send(out, e.getKey(), e.getValue(), new String(l.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                            }
                            offsets.put(e.getKey(), f.getFilePointer());
                        }
                    }
                }
                if (!out.isCancelled()) {
                    out.onCompleted();
                }
            } catch (IOException e) {
                out.onError(Status.INTERNAL.withDescription("cannot read logs on " + hostname + ": " + e.getMessage()).asRuntimeException());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the caller went away while we were sending
            }
        });
    }

    private void send(ServerCallStreamObserver<LogLine> out, String taskId, String name, String line) {
        LogLine l = parse(line).toBuilder().setTaskId(taskId).setTaskName(name).setNode(hostname).build();
        synchronized (out) {
            if (!out.isCancelled()) {
                out.onNext(l);
            }
        }
    }

    /** One k8s-file line: {@code 2026-01-01T00:00:00.000000000+00:00 stdout F text}. */
    static LogLine parse(String line) {
        String[] f = line.split(" ", 4);
        if (f.length < 4) {
            return LogLine.newBuilder().setText(line).build();
        }
        long ms = 0;
        try {
            ms = OffsetDateTime.parse(f[0]).toInstant().toEpochMilli();
        } catch (RuntimeException ignored) {
            // keep the text even if the time is odd
        }
        return LogLine.newBuilder().setTimeMs(ms).setStream(f[1]).setText(f[3]).build();
    }
}
