/**
 * The SNTP library: measure, validate, select, decide, monitor. Its API is {@code dev.pintp.ntp}; the
 * {@code internal} package carries no API contract and is exported only to the project's own probe and job, which
 * share its JSON text, durations, metric vocabulary and state-file reader (on the class path, where the jars run, a
 * module declaration is not read; it holds wherever the library is used as a module, and in the project's own build).
 */
// "module": the probe and the job are not built yet when this module is; "requires-automatic": micrometer-core is an
// automatic module named after its jar
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.pintp.ntp {
    exports dev.pintp.ntp;
    exports dev.pintp.ntp.internal to dev.pintp.probe, dev.pintp.systemd;

    requires transitive micrometer.core; // NtpMetrics is a MeterBinder
    requires org.slf4j;
    requires org.apache.commons.net;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.tls;
    requires org.cryptomator.siv;
}
