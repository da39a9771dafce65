package dev.tuncrypt.it.harness;

import java.nio.file.Path;
import java.time.Duration;

/** A tcpdump running in a {@link Peer}; {@link #stop()} ends it and gives the pcap on the host. */
public final class Capture {
    private final Service tcpdump;
    private final Path pcap;

    Capture(Service tcpdump, Path pcap) {
        this.tcpdump = tcpdump;
        this.pcap = pcap;
    }

    /**
     * Stops the capture (SIGINT, so tcpdump flushes) and returns the file for inspection. Fails
     * if the kernel dropped packets or a frame was cut: a capture with holes would weaken every
     * "never on the wire" check.
     */
    public Pcap stop() throws Exception {
        Thread.sleep(200); // the last frames in flight reach the interface
        tcpdump.signal("INT");
        int rc = tcpdump.await(Duration.ofSeconds(10));
        if (rc != 0) {
            throw new AssertionError("tcpdump exited " + rc + ": " + tcpdump.err());
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets? dropped by kernel")
                .matcher(tcpdump.err());
        if (m.find() && Long.parseLong(m.group(1)) > 0) {
            throw new AssertionError("the capture is incomplete: " + tcpdump.err().strip().replace('\n', ';'));
        }
        Pcap result = new Pcap(pcap);
        int cut = result.count("frame.cap_len < frame.len");
        if (cut > 0) {
            throw new AssertionError("the capture cut " + cut + " frames at its snapshot length");
        }
        return result;
    }
}
