package io.shoal.worker.exec.runc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tells whoever waits for a container to exit that conmon wrote its exit file, instead of each
 * waiter polling its file every few milliseconds (50 running tasks polling every 10 ms were 5,000
 * wake-ups a second on a node with nothing to do, taken from the tasks being started). One inotify
 * watch on the exits directory (the JDK's WatchService) and one thread per executor, started on
 * first use. A listener may be called for a change that is not an exit yet (the file created
 * empty, an overflow): it checks the file itself. Where inotify is not available,
 * {@link #watching()} is false and waiters poll.
 */
final class ExitWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ExitWatch.class);

    private final Path dir;
    /** by file name (the container id) */
    private final Map<String, List<Runnable>> listeners = new ConcurrentHashMap<>();
    private boolean started;
    private volatile boolean watching;

    ExitWatch(Path dir) {
        this.dir = dir;
    }

    /** Whether changes are seen as they happen; when false, listeners are never called. */
    boolean watching() {
        start();
        return watching;
    }

    /** Calls {@code listener} on every change to the exit file {@code name} until {@link #remove}. */
    void add(String name, Runnable listener) {
        listeners.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(listener);
        start();
    }

    void remove(String name, Runnable listener) {
        listeners.computeIfPresent(name, (n, l) -> {
            l.remove(listener);
            return l.isEmpty() ? null : l;
        });
    }

    private synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot watch {} for container exits, polling instead: {}", dir, e.getMessage());
            return;
        }
        watching = true;
        Thread.ofPlatform().daemon().name("exit-watch").start(() -> run(ws));
    }

    private void run(WatchService ws) {
        try (ws) {
            boolean valid = true;
            while (valid) {
                WatchKey key = ws.take();
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                        listeners.values().forEach(l -> l.forEach(Runnable::run));
                    } else if (e.context() instanceof Path p) {
                        listeners.getOrDefault(p.toString(), List.of()).forEach(Runnable::run);
                    }
                }
                valid = key.reset(); // invalid when the directory is gone
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // stopping
        } catch (IOException | RuntimeException e) {
            LOG.warn("exit watch on {} ended: {}", dir, e.getMessage());
        } finally {
            watching = false;
            listeners.values().forEach(l -> l.forEach(Runnable::run)); // waiters go back to polling
        }
    }
}
