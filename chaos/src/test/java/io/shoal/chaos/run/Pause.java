package io.shoal.chaos.run;

/** Pacing for clients and the nemesis (never a wait for a condition: those poll the condition). */
final class Pause {
    private Pause() {}

    static void briefly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
