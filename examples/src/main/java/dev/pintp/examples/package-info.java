/** Runnable programs a controller author copies from. */
package dev.pintp.examples;
