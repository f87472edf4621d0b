/** Benchmarks: what a running monitor costs per check, against starting a process per check. */
package dev.pintp.bench;
