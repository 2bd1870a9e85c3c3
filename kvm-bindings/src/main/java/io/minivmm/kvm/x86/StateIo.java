package io.minivmm.kvm.x86;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.CRC32;

/**
 * The shared pieces of the state formats: checked reads that turn every failure into a
 * {@link StateFormatException}, and the checksummed byte-array envelope
 * ({@code payload, CRC32 of payload (4 bytes, big endian)}).
 */
final class StateIo {
    private StateIo() {}

    /** Something that writes itself to a DataOutput. */
    interface Writer {
        void write(DataOutput out) throws IOException;
    }

    /** Something that reads a value from a DataInput. */
    interface Reader<T> {
        T read(DataInput in) throws IOException;
    }

    static byte[] toBytes(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static <T> T fromBytes(byte[] blob, String what, Reader<T> r) throws StateFormatException {
        if (blob.length < 4) throw new StateFormatException(what + ": " + blob.length + " bytes, too short");
        int n = blob.length - 4;
        CRC32 crc = new CRC32();
        crc.update(blob, 0, n);
        int want = ((blob[n] & 0xff) << 24) | ((blob[n + 1] & 0xff) << 16) | ((blob[n + 2] & 0xff) << 8) | (blob[n + 3] & 0xff);
        if ((int) crc.getValue() != want) throw new StateFormatException(what + ": checksum mismatch (corrupt or truncated)");
        ByteArrayInputStream bin = new ByteArrayInputStream(blob, 0, n);
        T value = read(new DataInputStream(bin), what, r);
        if (bin.available() != 0) throw new StateFormatException(what + ": " + bin.available() + " trailing bytes");
        return value;
    }

    /** Runs {@code r}, mapping truncation and invalid values to {@link StateFormatException}. */
    static <T> T read(DataInput in, String what, Reader<T> r) throws StateFormatException {
        try {
            return r.read(in);
        } catch (StateFormatException e) {
            throw e;
        } catch (EOFException e) {
            throw new StateFormatException(what + ": truncated", e);
        } catch (IOException e) {
            throw new StateFormatException(what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // A record constructor refusing a value the format let through.
            throw new StateFormatException(what + ": invalid value: " + e.getMessage(), e);
        }
    }

    static void header(DataInput in, int magic, int version, String what) throws IOException {
        int m = in.readInt();
        if (m != magic) throw new StateFormatException(String.format("%s: bad magic 0x%08x", what, m));
        int v = in.readUnsignedShort();
        if (v != version) throw new StateFormatException(what + ": format version " + v + ", this build reads " + version);
    }

    /** A count in [0, max]. */
    static int count(DataInput in, int max, String field) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) throw new StateFormatException(field + " count " + n + " outside 0.." + max);
        return n;
    }

    static byte[] bytes(DataInput in, int len) throws IOException {
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    static boolean bool(DataInput in, String field) throws IOException {
        int b = in.readUnsignedByte();
        if (b > 1) throw new StateFormatException(field + " flag " + b);
        return b == 1;
    }

    static int u8(DataInput in) throws IOException { return in.readUnsignedByte(); }
}
