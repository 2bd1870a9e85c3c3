package io.minivmm.vmm.gdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.minivmm.kvm.x86.DescriptorTable;
import io.minivmm.kvm.x86.Regs;
import io.minivmm.kvm.x86.Segment;
import io.minivmm.kvm.x86.Sregs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class RegistersTest {
    static Segment seg(int sel, long base) { return new Segment(base, 0xffff, sel, 3, true, 0, false, true, false, false, false, false); }

    static Sregs sregs(long cr0) {
        Segment d = seg(0x18, 0);
        return new Sregs(seg(0x10, 0), d, d, d, d, d, seg(0, 0), seg(0, 0), new DescriptorTable(0, 0),
                new DescriptorTable(0, 0), cr0, 0, 0x2000, 0, 0, 0x500, 0xfee00900L, new long[4]);
    }

    @Test
    void layoutIsTheFixedX8664OneWhateverTheMode() {
        assertEquals(600, Registers.SIZE);
        assertEquals(16 * 8, Registers.offset(Registers.RIP));
        long[] v = new long[18];
        for (int i = 0; i < 18; i++) v[i] = 0x1111111111111111L * (i % 15 + 1);
        Regs r = Regs.of(v);
        byte[] b = Registers.read(r, sregs(0x80000011L), null);
        assertEquals(r.rax(), Registers.get(b, 0));
        assertEquals(r.rbp(), Registers.get(b, 6)); // gdb's order: rbp before rsp
        assertEquals(r.rsp(), Registers.get(b, 7));
        assertEquals(r.rip(), Registers.get(b, Registers.RIP));
        assertEquals(0x10, Registers.get(b, Registers.CS));
        assertEquals(0x2000, Registers.get(b, Registers.CR3));
        assertEquals(0x500, Registers.get(b, Registers.EFER));
        // A real-mode vCPU has the same register file size.
        assertEquals(600, Registers.read(r, sregs(0x10), null).length);
    }

    @Test
    void writesComeBackAndSelectorsChangeOnlyInRealMode() {
        Regs r = Regs.ZERO;
        Sregs s = sregs(0x80000011L);
        byte[] b = Registers.read(r, s, null);
        Registers.put(b, 3, 0xdeadbeefL); // rdx
        Registers.put(b, Registers.RIP, 0xffffffff80200000L);
        Registers.put(b, Registers.CR3, 0x9000);
        Registers.Written w = Registers.apply(b, r, s);
        assertEquals(0xdeadbeefL, w.regs().rdx());
        assertEquals(0xffffffff80200000L, w.regs().rip());
        assertEquals(0x9000, w.sregs().cr3());
        Registers.put(b, Registers.DS, 0x28);
        assertThrows(IllegalArgumentException.class, () -> Registers.apply(b, r, s));
        Sregs real = sregs(0x10);
        byte[] rb = Registers.read(r, real, null);
        Registers.put(rb, Registers.DS, 0x1234);
        Registers.Written rw = Registers.apply(rb, r, real);
        assertEquals(0x1234, rw.sregs().ds().selector());
        assertEquals(0x12340, rw.sregs().ds().base());
    }

    @Test
    void targetDescriptionIsWellFormedAndNumbersEveryRegister() throws Exception {
        javax.xml.parsers.DocumentBuilder db = DocumentBuilderFactory.newInstance().newDocumentBuilder();
        db.setEntityResolver((pub, sys) -> new org.xml.sax.InputSource(new java.io.StringReader(""))); // gdb's DTD: not needed
        Document d = db.parse(new ByteArrayInputStream(Registers.TARGET_XML.getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("i386:x86-64", d.getElementsByTagName("architecture").item(0).getTextContent());
        NodeList regs = d.getElementsByTagName("reg");
        assertEquals(Registers.COUNT, regs.getLength());
        int bytes = 0;
        for (int i = 0; i < regs.getLength(); i++) {
            Element e = (Element) regs.item(i);
            assertEquals(i, Integer.parseInt(e.getAttribute("regnum")));
            int bits = Integer.parseInt(e.getAttribute("bitsize"));
            assertEquals(Registers.width(i) * 8, bits, e.getAttribute("name"));
            bytes += bits / 8;
        }
        assertEquals(Registers.SIZE, bytes);
    }
}
