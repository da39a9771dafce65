package dev.tuncrypt.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Helper process of {@link IdleConnectionsBench}, run inside the namespace: opens N connections
 * to HOST:PORT and holds them, printing "connected N", until its standard input closes. With
 * "exchange" it first sends one byte on each and waits for one byte back.
 */
public final class IdleClients {
    public static void main(String[] args) throws IOException {
        InetSocketAddress to = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int n = Integer.parseInt(args[2]);
        boolean exchange = args.length > 3 && args[3].equals("exchange");
        List<SocketChannel> open = new ArrayList<>(n);
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open(to);
            open.add(c);
            if (exchange) {
                c.write(one.clear());
            }
        }
        if (exchange) {
            for (SocketChannel c : open) {
                if (c.read(one.clear()) != 1) {
                    throw new IOException("no byte back from " + c.getRemoteAddress());
                }
            }
        }
        System.out.println("connected " + open.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the connections until the parent closes our stdin
        }
        for (SocketChannel c : open) {
            c.close();
        }
    }
}
