/** Unit tests of the checkers on known-good and known-bad histories. */
package io.shoal.chaos.check;
