/** This node's containers' logs, served to the managers. */
package io.shoal.worker.logs;
