/** The scriptable in-process SNTP server, the tests' time scale and CI rule, for the tests of every module. */
module dev.pintp.ntp.testkit {
    exports dev.pintp.ntp.testkit;

    requires org.apache.commons.net;
}
