package io.minivmm.vmm.devices;

import java.util.ArrayList;
import java.util.List;

/** Records MachineControl requests. */
final class FakeMachine implements MachineControl {
    final List<Integer> exits = new ArrayList<>();
    int resets;

    @Override public void guestExit(int status) {
        exits.add(status);
    }

    @Override public void guestReset() {
        resets++;
    }
}
