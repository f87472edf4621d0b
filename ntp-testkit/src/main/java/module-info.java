/** The scriptable in-process SNTP server and the tests' time scale, for the tests of every module. */
module dev.pintp.ntp.testkit {
    exports dev.pintp.ntp.testkit;

    requires org.apache.commons.net;
}
