/**
 * The SNTP library: measure, validate, select, decide, monitor. Its API is {@code dev.pintp.ntp}; the
 * {@code internal} packages carry no API contract and are exported only to the project's own probe and job, which
 * share its JSON text, metric vocabulary and SNTP engine (on the class path, where the jars run, a module
 * declaration is not read; it holds wherever the library is used as a module, and in the project's own build).
 */
// "module": the probe and the job are not built yet when this module is; "requires-automatic": micrometer-core and
// resilience4j are automatic modules named after their jars
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.pintp.ntp {
    exports dev.pintp.ntp;
    exports dev.pintp.ntp.internal to dev.pintp.probe, dev.pintp.systemd;

    requires transitive micrometer.core; // NtpMetrics is a MeterBinder
    requires org.slf4j;
    requires org.apache.commons.net;
    requires io.github.resilience4j.circuitbreaker;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.tls;
    requires org.cryptomator.siv;
}
