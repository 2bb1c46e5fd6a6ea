package io.shoal.worker;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for a condition that another thread or process brings about. */
public final class Await {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Await() {}

    /** Returns once {@code cond} holds, looking every 10 ms; fails the test after 30 s (a limit, not a timing). */
    public static void until(String what, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
