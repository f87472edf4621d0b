package dev.pintp.systemd.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's end of the request channel of the default install ({@code serve}, docs/systemd.md). The directory
 * (ntp-monitor-daemon.service's {@code ExecStartPre=} makes {@code /run/ntp-monitor/control}, mode 0700) holds the
 * FIFO {@value #REQUEST}; ntp-monitor.service's client ({@code pintp-java daemon JAR request}) makes its own FIFO
 * {@code reply.PID} there, opens it, writes the line {@code check PID} to {@value #REQUEST} and reads the reply:
 * lines {@code L<N>text} (one journal line of the check each, with its syslog priority), then {@code E STATUS}.
 *
 * <p>Every name is checked before it is used, although only root can enter the directory: the directory and the
 * FIFOs must be owned by this process's user, the directory and the request FIFO grant nothing to group or others,
 * nothing is followed through a symbolic link (lstat, then {@code O_NOFOLLOW}), a request is one line of at most
 * {@value #MAX_LINE} bytes naming a reply FIFO by digits only (no path), and a reply holds at most
 * {@value #MAX_REPLY} bytes: less than a pipe's buffer, so writing it never blocks on a client that stopped reading.
 *
 * <p>Threads: one reader thread (a daemon thread) reads the request FIFO and queues valid requests;
 * {@link #take} and {@link #reply} are for one consumer thread.
 */
public final class ControlChannel implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    /** The request FIFO's name in the directory. */
    public static final String REQUEST = "request";
    /** Reply FIFOs are named this followed by the client's id (digits). */
    public static final String REPLY_PREFIX = "reply.";
    /** The longest request line, newline excluded. */
    public static final int MAX_LINE = 64;
    /** The most bytes a reply holds (a pipe holds 64 KiB): what does not fit is cut and said so. */
    public static final int MAX_REPLY = 16 * 1024;
    /** The reader thread's name: its log lines are the daemon's, never a served request's ({@link CheckServer.Router}). */
    static final String READER = "ntp-monitor-requests";
    /** Requests waiting beyond this many are dropped (their clients time out and fail closed). */
    static final int MAX_QUEUED = 8;

    private static final Pattern LINE = Pattern.compile("check ([0-9]{1,10})");
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFDIR = 0040000;
    private static final String STOP = "";

    private final Path dir;
    private final int owner;
    private final FileChannel requests;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(MAX_QUEUED + 1);
    private final Thread reader;
    private volatile boolean closed;

    private ControlChannel(Path dir, int owner, FileChannel requests) {
        this.dir = dir;
        this.owner = owner;
        this.requests = requests;
        this.reader = new Thread(this::readRequests, READER);
        reader.setDaemon(true);
    }

    /**
     * The id of the reply FIFO a request line names ({@code check 1234} names {@code reply.1234}), or empty when the
     * line is not a request: anything but {@code check} and 1 to 10 digits, or longer than {@value #MAX_LINE}.
     */
    public static Optional<String> parse(String line) {
        if (line.length() > MAX_LINE) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(line);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Opens the channel in {@code dir} after checking it and its request FIFO, and starts the reader thread.
     *
     * @throws IOException when the directory or the FIFO is missing, not what it must be (a link, another owner,
     *     open to group or others, not a FIFO), or cannot be opened
     */
    public static ControlChannel open(Path dir) throws IOException {
        int self = ownUid();
        check(dir, S_IFDIR, self, true);
        Path request = dir.resolve(REQUEST);
        check(request, S_IFIFO, self, true);
        // read and write: never blocks on opening, and the FIFO never reads as ended when a client closes it
        FileChannel ch = FileChannel.open(request, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        ControlChannel c = new ControlChannel(dir, self, ch);
        c.reader.start();
        return c;
    }

    /** The directory this channel serves. */
    public Path directory() {
        return dir;
    }

    /**
     * The next request's reply id, waiting at most {@code timeout}; empty when none came in time or the channel was
     * closed.
     */
    public Optional<String> take(Duration timeout) throws InterruptedException {
        String id = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (id == null || id == STOP) {
            if (id == STOP) {
                queue.offer(STOP); // every later take ends at once too
            }
            return Optional.empty();
        }
        return Optional.of(id);
    }

    /** True once {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Opens the reply FIFO of request {@code id} after checking it (a FIFO of this user, not a link).
     *
     * @throws IOException when it is missing (the client gave up), not a FIFO of ours, or cannot be opened
     * @throws IllegalArgumentException when {@code id} is not digits
     */
    public Reply reply(String id) throws IOException {
        if (!id.matches("[0-9]{1,10}")) {
            throw new IllegalArgumentException("not a reply id: " + Render.printable(id));
        }
        Path p = dir.resolve(REPLY_PREFIX + id);
        check(p, S_IFIFO, owner, false);
        // read and write: opening never blocks, also when the client is gone
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        return new Reply(p, ch);
    }

    /** Stops the reader and makes {@link #take} return empty. */
    @Override
    public void close() throws IOException {
        closed = true;
        queue.clear();
        queue.offer(STOP);
        requests.close();
    }

    private void readRequests() {
        ByteBuffer buf = ByteBuffer.allocate(512);
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        boolean overlong = false;
        try {
            while (!closed) {
                buf.clear();
                if (requests.read(buf) < 0) {
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b != '\n') {
                        if (length < line.length) {
                            line[length++] = b;
                        } else {
                            overlong = true;
                        }
                        continue;
                    }
                    String text = new String(line, 0, length, StandardCharsets.US_ASCII);
                    Optional<String> id = overlong ? Optional.empty() : parse(text);
                    if (id.isEmpty()) {
                        LOG.warn("ignored a request that is not 'check ID': '{}'{}", Render.printable(text),
                                overlong ? " (cut, longer than " + MAX_LINE + " bytes)" : "");
                    } else if (queue.size() >= MAX_QUEUED || !queue.offer(id.get())) {
                        LOG.warn("ignored request {}: {} requests are waiting already", id.get(), MAX_QUEUED);
                    }
                    length = 0;
                    overlong = false;
                }
            }
        } catch (ClosedChannelException e) {
            // closed: the daemon is stopping
        } catch (IOException e) {
            LOG.error("cannot read {}: {}", dir.resolve(REQUEST), FailSafe.describe(e));
            queue.offer(STOP);
        }
    }

    /**
     * Checks, without following a link, that {@code p} is of file type {@code type} and owned by {@code uid}, and,
     * when {@code privateMode}, that it grants nothing to group or others.
     */
    static void check(Path p, int type, int uid, boolean privateMode) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int fileUid = (Integer) a.get("uid");
        String what = type == S_IFDIR ? "a directory" : "a FIFO";
        if ((mode & S_IFMT) != type) {
            throw new IOException(p + " is not " + what);
        }
        if (fileUid != uid) {
            throw new IOException(p + " is owned by uid " + fileUid + ", not " + uid);
        }
        if (privateMode && (mode & 077) != 0) {
            throw new IOException(p + " is open to group or others (mode " + Integer.toOctalString(mode & 07777)
                    + ")");
        }
    }

    /** This process's user id: the owner of its /proc directory. */
    static int ownUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self/"), "unix:uid");
    }

    /**
     * One request's reply: the check's journal lines as they come ({@link #line}), then its status ({@link #finish}),
     * at most {@value #MAX_REPLY} bytes in all. Not thread-safe: the router writes it under its own lock.
     */
    public static final class Reply {
        private static final String CUT = "L<4>reply cut: more than " + MAX_REPLY + " bytes\n";

        private final Path path;
        private final FileChannel channel;
        private int left = MAX_REPLY - CUT.length() - 16;
        private boolean cut;
        private boolean failed;

        private Reply(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        /** The reply FIFO's path. */
        public Path path() {
            return path;
        }

        /**
         * Sends one journal line ({@code <N>} priority prefix included); a newline in it is sent as a space. Lines
         * beyond the size bound are dropped, with one line saying so.
         */
        public void line(String journalLine) {
            String l = "L" + journalLine.replace('\n', ' ') + "\n";
            byte[] b = l.getBytes(StandardCharsets.UTF_8);
            if (cut) {
                return;
            }
            if (b.length > left) {
                cut = true;
                send(CUT.getBytes(StandardCharsets.US_ASCII));
                return;
            }
            left -= b.length;
            send(b);
        }

        /**
         * Removes the FIFO (the client holds it open while it reads), then sends the status line and closes it: a
         * client that read its status finds no FIFO left to remove, and so starts no {@code rm}.
         */
        public void finish(int status) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // the client removes it too
            }
            send(("E " + status + "\n").getBytes(StandardCharsets.US_ASCII));
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do: the reply is written or the client is gone (no log line: it would come here)
            }
        }

        private void send(byte[] bytes) {
            if (failed) {
                return;
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            } catch (IOException e) {
                failed = true; // the client is gone; the check goes on
            }
        }
    }

    @Override
    public String toString() {
        return "ControlChannel[" + Objects.toString(dir) + "]";
    }
}
