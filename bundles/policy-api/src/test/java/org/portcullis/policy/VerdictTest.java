package org.portcullis.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void refusalsCarryAWellFormedReplyOfTheirClass() {
        assertEquals("550 5.7.1 Message rejected: virus Eicar found", new Verdict.Reject("550 5.7.1 Message rejected: virus Eicar found").reply());
        assertEquals("451 4.7.1 try later", new Verdict.Tempfail("451 4.7.1 try\r\nlater").reply(), "folded onto one line");
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Reject("451 4.7.1 a tempfail is not a reject"));
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Tempfail("550 5.7.1 nor the other way round"));
        assertThrows(IllegalArgumentException.class, () -> new Verdict.Reject("550 no enhanced status"));
        assertEquals(Verdict.Kind.REJECT, new Verdict.Reject("554 5.7.0 no").kind());
    }

    @Test
    void deliveredAndHeldMessagesCarryHeadersAndRefusalsNone() {
        Verdict.Header h = new Verdict.Header("X-Portcullis-Verdict", "clean");
        assertEquals(List.of(h), new Verdict.Deliver(List.of(h)).headers());
        assertEquals(List.of(h), new Verdict.Quarantine(List.of(h), "why").headers());
        assertTrue(new Verdict.Tempfail("451 4.3.2 later").headers().isEmpty());
        assertEquals("", new Verdict.Deliver(List.of()).reply());
        assertEquals("a b", new Verdict.Quarantine(List.of(), "a\tb").reason());
        assertEquals("tempfail", Verdict.Kind.TEMPFAIL.id());
    }
}
