package io.minivmm.vmm.paging;

import java.util.ArrayList;
import java.util.List;

/** Page tables in plain Java arrays: table k has handle k and physical address BASE + k * 4096. */
final class ArrayTableAccess implements TableAccess {
    static final long BASE = 0x1000_0000L;

    final List<long[]> tables = new ArrayList<>();

    ArrayTableAccess() {
        tables.add(new long[512]); // the root
    }

    long rootPaddr() {
        return toPhys(0);
    }

    @Override
    public long readEntry(long table, int index) {
        return tables.get((int) table)[index];
    }

    @Override
    public void writeEntry(long table, int index, long entry) {
        tables.get((int) table)[index] = entry;
    }

    @Override
    public long allocTable() {
        tables.add(new long[512]);
        return tables.size() - 1;
    }

    @Override
    public long fromPhys(long paddr) {
        long k = (paddr - BASE) >>> 12;
        if (paddr < BASE || k >= tables.size()) {
            throw new IllegalArgumentException("no table at 0x" + Long.toHexString(paddr));
        }
        return k;
    }

    @Override
    public long toPhys(long table) {
        return BASE + (table << 12);
    }
}
