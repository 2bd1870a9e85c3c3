package io.minivmm.kvm.x86;

/**
 * A segment register as KVM sees it ({@code struct kvm_segment}): the hidden part (base, limit,
 * attributes) as well as the selector.
 * <pre>{@code
 * Segment cs64 = new Segment(0, 0xffffffffL, 0x08, 0xb, true, 0, false, true, true, true, false, false);
 * }</pre>
 */
public record Segment(long base, long limit, int selector, int type, boolean present, int dpl, boolean db,
                      boolean s, boolean l, boolean g, boolean avl, boolean unusable) {

    /** A copy with another base and selector (real-mode style loads). */
    public Segment withBaseSelector(long newBase, int newSelector) {
        return new Segment(newBase, limit, newSelector, type, present, dpl, db, s, l, g, avl, unusable);
    }

    @Override
    public String toString() {
        return String.format("sel=%04x base=%016x limit=%08x type=%x p=%d dpl=%d db=%d s=%d l=%d g=%d avl=%d%s",
                selector, base, limit, type, present ? 1 : 0, dpl, db ? 1 : 0, s ? 1 : 0, l ? 1 : 0, g ? 1 : 0,
                avl ? 1 : 0, unusable ? " unusable" : "");
    }
}
