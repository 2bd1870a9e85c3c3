package io.minivmm.vmm.devices;

import static io.minivmm.vmm.devices.CmosRtc.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CmosRtcTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(String iso) {
            now = Instant.parse(iso);
        }

        @Override public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override public Instant instant() {
            return now;
        }
    }

    static int reg(CmosRtc rtc, int index) {
        rtc.write(0, 1, index);
        return rtc.read(1, 1);
    }

    static void set(CmosRtc rtc, int index, int value) {
        rtc.write(0, 1, index);
        rtc.write(1, 1, value);
    }

    static CmosRtc at(String iso) {
        return new CmosRtc(Clock.fixed(Instant.parse(iso), ZoneOffset.UTC), 256 * MIB);
    }

    @Test
    void bcdTwentyFourHourByDefault() {
        CmosRtc rtc = at("2026-11-22T19:45:07.500Z"); // a Sunday
        assertEquals(0x07, reg(rtc, REG_SECONDS));
        assertEquals(0x45, reg(rtc, REG_MINUTES));
        assertEquals(0x19, reg(rtc, REG_HOURS));
        assertEquals(1, reg(rtc, REG_DAY_OF_WEEK));
        assertEquals(0x22, reg(rtc, REG_DAY_OF_MONTH));
        assertEquals(0x11, reg(rtc, REG_MONTH));
        assertEquals(0x26, reg(rtc, REG_YEAR));
        assertEquals(0x20, reg(rtc, REG_CENTURY));
        assertEquals(0x26, reg(rtc, REG_A));
        assertEquals(B_24H, reg(rtc, REG_B));
        assertEquals(0x00, reg(rtc, REG_C));
        assertEquals(D_VRT, reg(rtc, REG_D));
    }

    @Test
    void binaryMode() {
        CmosRtc rtc = at("2026-11-23T19:45:07Z"); // a Monday
        set(rtc, REG_B, B_24H | B_BINARY);
        assertEquals(7, reg(rtc, REG_SECONDS));
        assertEquals(45, reg(rtc, REG_MINUTES));
        assertEquals(19, reg(rtc, REG_HOURS));
        assertEquals(2, reg(rtc, REG_DAY_OF_WEEK));
        assertEquals(23, reg(rtc, REG_DAY_OF_MONTH));
        assertEquals(11, reg(rtc, REG_MONTH));
        assertEquals(26, reg(rtc, REG_YEAR));
        assertEquals(20, reg(rtc, REG_CENTURY));
    }

    @Test
    void twelveHourModeWithPmBit() {
        String[] times = {"00:30", "01:30", "11:30", "12:30", "13:30", "23:30"};
        int[] bcd = {0x12, 0x01, 0x11, 0x92, 0x81, 0x91};
        int[] bin = {12, 1, 11, 0x80 | 12, 0x81, 0x80 | 11};
        for (int i = 0; i < times.length; i++) {
            CmosRtc rtc = at("2026-01-01T" + times[i] + ":00Z");
            set(rtc, REG_B, 0); // 12-hour, BCD
            assertEquals(bcd[i], reg(rtc, REG_HOURS), times[i] + " BCD");
            set(rtc, REG_B, B_BINARY);
            assertEquals(bin[i], reg(rtc, REG_HOURS), times[i] + " binary");
        }
    }

    @Test
    void updateInProgressDuringTheLast244MicrosecondsOfASecond() {
        assertFalse((reg(at("2026-01-01T00:00:00.000000000Z"), REG_A) & A_UIP) != 0);
        assertFalse((reg(at("2026-01-01T00:00:00.500000000Z"), REG_A) & A_UIP) != 0);
        assertFalse((reg(at("2026-01-01T00:00:00.999755999Z"), REG_A) & A_UIP) != 0);
        assertTrue((reg(at("2026-01-01T00:00:00.999756000Z"), REG_A) & A_UIP) != 0);
        assertTrue((reg(at("2026-01-01T00:00:00.999999999Z"), REG_A) & A_UIP) != 0);
        CmosRtc rtc = at("2026-01-01T00:00:00.999900000Z");
        set(rtc, REG_A, 0xff);
        assertEquals(0xff, reg(rtc, REG_A), "bits 0-6 stored, UIP read-only and set");
        set(rtc, REG_B, B_SET | B_24H);
        assertEquals(0x7f, reg(rtc, REG_A), "SET clears UIP");
    }

    @Test
    void guestCanSetTheClockWithTheSetBit() {
        MutableClock clock = new MutableClock("2026-11-22T19:45:07Z");
        CmosRtc rtc = new CmosRtc(clock, 256 * MIB);
        set(rtc, REG_B, B_SET | B_24H);
        set(rtc, REG_HOURS, 0x08);
        set(rtc, REG_MINUTES, 0x30);
        set(rtc, REG_SECONDS, 0x00);
        set(rtc, REG_YEAR, 0x99);
        set(rtc, REG_CENTURY, 0x19);
        set(rtc, REG_DAY_OF_MONTH, 0x31); // November 31st does not exist: dropped
        clock.now = clock.now.plusSeconds(100);
        assertEquals(0x00, reg(rtc, REG_SECONDS), "frozen while SET");
        set(rtc, REG_B, B_24H);
        clock.now = clock.now.plusSeconds(65);
        assertEquals(0x05, reg(rtc, REG_SECONDS));
        assertEquals(0x31, reg(rtc, REG_MINUTES));
        assertEquals(0x08, reg(rtc, REG_HOURS));
        assertEquals(0x22, reg(rtc, REG_DAY_OF_MONTH));
        assertEquals(0x99, reg(rtc, REG_YEAR));
        assertEquals(0x19, reg(rtc, REG_CENTURY));
        assertEquals(2, reg(rtc, REG_DAY_OF_WEEK), "1999-11-22 was a Monday");
        // a direct write without SET moves the clock too; 12-hour writes honour PM
        set(rtc, REG_B, B_BINARY);
        set(rtc, REG_HOURS, 0x80 | 3);
        set(rtc, REG_B, B_24H | B_BINARY);
        assertEquals(15, reg(rtc, REG_HOURS));
    }

    @Test
    void memorySizeFor256MiB() {
        CmosRtc rtc = new CmosRtc(Clock.systemUTC(), 256 * MIB);
        assertEquals(0x80, reg(rtc, 0x15));
        assertEquals(0x02, reg(rtc, 0x16), "640 KiB base memory");
        for (int i : new int[] {0x17, 0x18, 0x30, 0x31}) {
            assertEquals(0xff, reg(rtc, i), "255 MiB of extended memory is capped at 0xffff KiB");
        }
        assertEquals(0x00, reg(rtc, 0x34));
        assertEquals(0x0f, reg(rtc, 0x35), "(256-16) MiB / 64 KiB = 0x0f00");
        assertEquals(0, reg(rtc, 0x5b) | reg(rtc, 0x5c) | reg(rtc, 0x5d));
    }

    @Test
    void memorySizeFor6GiB() {
        CmosRtc rtc = new CmosRtc(Clock.systemUTC(), 6 * GIB); // 3 GiB low, 3 GiB above 4 GiB
        assertEquals(0x0280, reg(rtc, 0x15) | reg(rtc, 0x16) << 8);
        assertEquals(0xffff, reg(rtc, 0x17) | reg(rtc, 0x18) << 8);
        assertEquals(0xbf00, reg(rtc, 0x34) | reg(rtc, 0x35) << 8, "(3 GiB - 16 MiB) / 64 KiB");
        assertEquals(0x00c000, reg(rtc, 0x5b) | reg(rtc, 0x5c) << 8 | reg(rtc, 0x5d) << 16, "3 GiB / 64 KiB");
        CmosRtc fc = new CmosRtc(Clock.systemUTC(), 6 * GIB, 0xd000_0000L); // gap at 3.25 GiB
        assertEquals(0xcf00, reg(fc, 0x34) | reg(fc, 0x35) << 8);
        assertEquals(0x00b000, reg(fc, 0x5b) | reg(fc, 0x5c) << 8 | reg(fc, 0x5d) << 16);
    }

    @Test
    void memorySizeForSmallRam() {
        CmosRtc rtc = new CmosRtc(Clock.systemUTC(), 16 * MIB);
        assertEquals(0x3c00, reg(rtc, 0x17) | reg(rtc, 0x18) << 8, "15 MiB in KiB");
        assertEquals(0x3c00, reg(rtc, 0x30) | reg(rtc, 0x31) << 8);
        assertEquals(0, reg(rtc, 0x34) | reg(rtc, 0x35));
        CmosRtc tiny = new CmosRtc(Clock.systemUTC(), 512 * 1024);
        assertEquals(0x0200, reg(tiny, 0x15) | reg(tiny, 0x16) << 8);
        assertEquals(0, reg(tiny, 0x17) | reg(tiny, 0x18));
    }

    @Test
    void nmiMaskIsBit7OfTheIndex() {
        CmosRtc rtc = at("2026-01-01T00:00:00Z");
        assertFalse(rtc.nmiMasked());
        rtc.write(0, 1, 0x80 | 0x0d);
        assertTrue(rtc.nmiMasked());
        assertEquals(D_VRT, rtc.read(1, 1), "the index is the low 7 bits");
        rtc.write(0, 1, 0x0d);
        assertFalse(rtc.nmiMasked());
        assertEquals(0xff, rtc.read(0, 1), "the index port is write-only");
    }

    @Test
    void otherIndicesArePlainRamAndReadOnlyRegistersIgnoreWrites() {
        CmosRtc rtc = at("2026-01-01T00:00:00Z");
        for (int i = 0x0e; i < 0x80; i++) {
            if (i == REG_CENTURY) {
                continue;
            }
            set(rtc, i, i ^ 0xa5);
        }
        for (int i = 0x0e; i < 0x80; i++) {
            if (i != REG_CENTURY) {
                assertEquals(i ^ 0xa5, reg(rtc, i), "index " + i);
            }
        }
        set(rtc, 0x01, 0x59); // alarm seconds
        assertEquals(0x59, reg(rtc, 0x01));
        set(rtc, REG_C, 0xff);
        set(rtc, REG_D, 0x00);
        assertEquals(0, reg(rtc, REG_C));
        assertEquals(D_VRT, reg(rtc, REG_D));
    }

    @Test
    void wideAccessWritesIndexThenData() {
        CmosRtc rtc = at("2026-01-01T00:00:00Z");
        rtc.write(0, 2, 0x4240); // index 0x40, data 0x42
        assertEquals(0x42, reg(rtc, 0x40));
        rtc.write(0, 1, 0x40);
        assertEquals(0x42ff, rtc.read(0, 2));
    }
}
