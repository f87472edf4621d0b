/** Helper programs the lab scripts run inside lab namespaces: an impairing UDP relay and scripted NTP servers. */
package dev.pintp.lab;
