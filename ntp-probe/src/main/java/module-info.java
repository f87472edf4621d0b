/**
 * The command-line probe, an application: it exports nothing. Being a module lets ntp-core export its internal
 * packages to it alone, and the compiler holds it to that. The jar runs on the class path ({@code java -jar}, the
 * launcher), where this declaration is not read.
 */
module dev.pintp.probe {
    requires dev.pintp.ntp;
    requires dev.pintp.sysconf;
}
