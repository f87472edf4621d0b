package dev.pintp.systemd.internal;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpServer;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code install --auth nts}: what the Pi Zero's chrony and this machine need for NTS (RFC 8915). Nothing is written:
 * NTS needs no shared secret, and the certificate authority's key belongs on neither machine's running system, so the
 * steps create it where the administrator runs them and copy only the public CA certificate here.
 */
public final class NtsSetup {
    /** Where the steps put the CA certificate on this machine ({@code [Auth] NtsCa=}). */
    public static final String CA_FILE = "/etc/ntp-monitor/nts-ca.pem";

    private NtsSetup() {
    }

    /**
     * The steps, for the first configured primary (its name or address goes into the certificate, which the job
     * verifies against the configured name). Server names were validated when the configuration was read, so they
     * are safe inside the printed shell words.
     */
    public static String instructions(Settings settings) {
        List<NtpServer> primaries = settings.ntp().primaries();
        String host = primaries.isEmpty() ? dev.pintp.ntp.NtpConfig.DEFAULT_PRIMARY : primaries.get(0).host();
        boolean configured = !primaries.isEmpty() && primaries.get(0).auth() instanceof NtpAuth.Nts;
        String san = isAddress(host) ? "IP:" + host : "DNS:" + host;
        StringBuilder s = new StringBuilder();
        s.append("NTS for ").append(host).append(" (RFC 8915; no shared secret, a certificate instead):\n")
                .append("  1. On any machine with openssl, make a CA and the Pi Zero's certificate (keep ca.key offline):\n")
                .append("     openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \\\n")
                .append("         -subj '/CN=pintp NTS CA' -keyout ca.key -out ca.crt\n")
                .append("     openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=")
                .append(host).append("' \\\n")
                .append("         -keyout nts.key -out nts.csr\n")
                .append("     printf 'subjectAltName=").append(san)
                .append("\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > nts.ext\n")
                .append("     openssl x509 -req -in nts.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \\\n")
                .append("         -extfile nts.ext -out nts.crt\n")
                .append("  2. On the Pi Zero: copy nts.key and nts.crt to /etc/chrony/ (nts.key: sudo chown root:_chrony,\n")
                .append("     chmod 640), add to /etc/chrony/chrony.conf:\n")
                .append("       ntsserverkey /etc/chrony/nts.key\n")
                .append("       ntsservercert /etc/chrony/nts.crt\n")
                .append("       ntsdumpdir /var/lib/chrony\n")
                .append("     then sudo systemctl restart chrony (NTS-KE listens on TCP 4460; plain NTP clients are unaffected).\n")
                .append("  3. On this machine: copy ca.crt to ").append(CA_FILE).append(" (0644 root)");
        if (configured) {
            s.append("; ").append(Settings.CONFIG_FILE).append(" already asks for NTS.\n");
        } else {
            s.append(" and add to ").append(Settings.CONFIG_FILE)
                    .append(" (the job refuses unauthenticated answers from the primaries from then on):\n")
                    .append("       [Auth]\n       PrimaryNts=yes\n       NtsCa=").append(CA_FILE).append('\n');
        }
        s.append("  Check it first: ntp-probe --nts --nts-ca ").append(CA_FILE).append(' ').append(host).append('\n');
        return s.toString();
    }

    private static boolean isAddress(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6 (a zone is not part of a certificate's address either way)
        }
        if (!host.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host) != null; // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
