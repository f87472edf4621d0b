/**
 * The ntp-monitor job, daemon, boot wait and installer, an application: it exports nothing. Being a module lets
 * ntp-core export its internal packages to it alone, and the compiler holds it to that. The jar runs on the class
 * path ({@code java -jar}, the units, the launcher), where this declaration is not read and slf4j finds the journal
 * binding through {@code META-INF/services}; on the module path it finds it through {@code provides}.
 */
@SuppressWarnings("requires-automatic") // resilience4j-retry and -core are automatic modules named after their jars
module dev.pintp.systemd {
    requires dev.pintp.ntp;
    requires dev.pintp.sysconf;
    requires java.net.http; // the webhook
    requires io.github.resilience4j.retry; // the webhook's retries
    requires io.github.resilience4j.core; // their IntervalFunction, EventConsumer, CheckedSupplier
    requires org.slf4j;

    provides org.slf4j.spi.SLF4JServiceProvider with dev.pintp.systemd.internal.JournalLoggerProvider;
}
