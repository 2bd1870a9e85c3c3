package io.minivmm.vmm.gdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    static List<PacketCodec.Frame> feed(PacketCodec c, byte[] bytes) {
        List<PacketCodec.Frame> out = new ArrayList<>();
        for (byte b : bytes) {
            PacketCodec.Frame f = c.feed(b);
            if (f != null) out.add(f);
        }
        return out;
    }

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    @Test
    void decodesAPacketWithItsChecksum() {
        List<PacketCodec.Frame> f = feed(new PacketCodec(64), ascii("+$qSupported#37"));
        assertEquals(2, f.size());
        assertInstanceOf(PacketCodec.Ack.class, f.get(0));
        assertEquals("qSupported", ((PacketCodec.Packet) f.get(1)).text());
    }

    @Test
    void encodeEscapesAndRoundTripsEveryByte() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        byte[] framed = PacketCodec.encode(all);
        // No raw '#', '$', '*' or '}' inside the frame's payload.
        for (int i = 1; i < framed.length - 3; i++) {
            assertTrue(framed[i] != '#' && framed[i] != '$' && framed[i] != '*' || framed[i - 1] == '}', "raw byte at " + i);
        }
        List<PacketCodec.Frame> f = feed(new PacketCodec(1024), framed);
        assertEquals(1, f.size());
        assertArrayEquals(all, ((PacketCodec.Packet) f.get(0)).data());
    }

    @Test
    void decodesRunLengthEncoding() {
        // "0* " = '0' followed by (' ' - 29) = 3 more: "0000"; the checksum covers the raw bytes.
        String body = "X0* Y";
        int sum = 0;
        for (char ch : body.toCharArray()) sum += ch;
        String frame = "$" + body + "#" + String.format("%02x", sum & 0xff);
        PacketCodec.Packet p = (PacketCodec.Packet) feed(new PacketCodec(64), ascii(frame)).get(0);
        assertEquals("X0000Y", p.text());
    }

    @Test
    void badChecksumIsReportedNotDelivered() {
        List<PacketCodec.Frame> f = feed(new PacketCodec(64), ascii("$g#00$g#zz$g#67"));
        assertEquals(3, f.size());
        assertInstanceOf(PacketCodec.Bad.class, f.get(0));
        assertInstanceOf(PacketCodec.Bad.class, f.get(1));
        assertEquals("g", ((PacketCodec.Packet) f.get(2)).text());
    }

    @Test
    void hugePacketIsDiscardedWithinTheBoundAndTheNextOneStillDecodes() {
        PacketCodec c = new PacketCodec(64);
        StringBuilder big = new StringBuilder("$");
        for (int i = 0; i < 1_000_000; i++) big.append('a');
        big.append("#00");
        List<PacketCodec.Frame> f = feed(c, ascii(big + "$g#67"));
        assertEquals(2, f.size());
        assertTrue(((PacketCodec.Bad) f.get(0)).reason().contains("longer than 64"));
        assertEquals("g", ((PacketCodec.Packet) f.get(1)).text());
        // RLE cannot expand past the bound either.
        f = feed(c, ascii("$" + "a*~".repeat(100) + "#00"));
        assertInstanceOf(PacketCodec.Bad.class, f.get(0));
    }

    @Test
    void interruptAndNoiseBetweenPackets() {
        List<PacketCodec.Frame> f = feed(new PacketCodec(64), new byte[] {'x', 0x03, 'y', '-', '$', 'g', '#', '6', '7'});
        assertEquals(3, f.size());
        assertInstanceOf(PacketCodec.Interrupt.class, f.get(0));
        assertInstanceOf(PacketCodec.Nak.class, f.get(1));
        assertInstanceOf(PacketCodec.Packet.class, f.get(2));
    }

    @Test
    void aDollarInsideAPacketResynchronises() {
        List<PacketCodec.Frame> f = feed(new PacketCodec(64), ascii("$garbage-without-end$g#67"));
        assertEquals(1, f.size());
        assertEquals("g", ((PacketCodec.Packet) f.get(0)).text());
    }

    @Test
    void midPacketStateIsVisibleForADisconnect() {
        PacketCodec c = new PacketCodec(64);
        feed(c, ascii("$m1000,"));
        assertTrue(c.midPacket());
        assertNull(c.feed('4'));
    }

    /** Seeded fuzz: random bytes and mutated valid frames never throw and never deliver a packet with a wrong checksum. */
    @Test
    void fuzzNeverThrowsAndOnlyDeliversValidPackets() {
        Random rnd = new Random(12);
        PacketCodec c = new PacketCodec(256);
        for (int i = 0; i < 5000; i++) {
            byte[] payload = new byte[rnd.nextInt(300)];
            rnd.nextBytes(payload);
            byte[] frame = PacketCodec.encode(payload);
            boolean mutated = rnd.nextInt(3) == 0;
            if (mutated) frame[1 + rnd.nextInt(frame.length - 1)] ^= (byte) (1 + rnd.nextInt(255));
            byte[] noise = new byte[rnd.nextInt(8)];
            rnd.nextBytes(noise);
            for (byte b : noise) c.feed(b);
            PacketCodec.Frame last = null;
            for (byte b : frame) {
                PacketCodec.Frame f = c.feed(b);
                if (f != null) last = f;
            }
            if (!mutated && payload.length <= 256 && last instanceof PacketCodec.Packet p) {
                assertArrayEquals(payload, p.data());
            }
            // Whatever happened, a fresh valid packet is decoded afterwards.
            PacketCodec.Frame after = null;
            for (byte b : ascii("#00$g#67")) {
                PacketCodec.Frame f = c.feed(b);
                if (f != null) after = f;
            }
            assertInstanceOf(PacketCodec.Packet.class, after, "iteration " + i);
        }
    }
}
