/** The workers' end of the managers: sessions, heartbeats, node liveness. */
package io.shoal.manager.dispatcher;
