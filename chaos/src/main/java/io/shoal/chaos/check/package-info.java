/**
 * Checkers over a recorded history: {@link io.shoal.chaos.check.Linearizability} (a WGL search for the
 * register model, one register at a time), {@link io.shoal.chaos.check.SetCheck} (acknowledged adds
 * present, nothing present that no client attempted) and {@link io.shoal.chaos.check.Availability}
 * (the longest stretch without an acknowledged write after a fault).
 */
package io.shoal.chaos.check;
