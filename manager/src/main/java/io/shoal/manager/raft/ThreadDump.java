package io.shoal.manager.raft;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/** The stacks of every thread of the process, whole (ThreadInfo's own text stops at 8 frames), with the locks they hold and wait for. */
final class ThreadDump {
    private ThreadDump() {
    }

    static String text() {
        StringBuilder out = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            out.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                out.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                out.append(" owned by \"").append(t.getLockOwnerName()).append('"');
            }
            out.append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                out.append("    at ").append(e).append('\n');
            }
        }
        return out.toString();
    }
}
