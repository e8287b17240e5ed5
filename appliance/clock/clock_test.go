package clock

import (
	"testing"
	"time"
)

func TestFakeRunsDueFunctionsInOrder(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	var got []int
	c.AfterFunc(3*time.Second, func() { got = append(got, 3) })
	c.AfterFunc(time.Second, func() { got = append(got, 1) })
	stopped := c.AfterFunc(2*time.Second, func() { got = append(got, 2) })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	c.Advance(2 * time.Second)
	if len(got) != 1 || got[0] != 1 {
		t.Fatalf("after 2s: %v", got)
	}
	c.Advance(time.Second)
	if len(got) != 2 || got[1] != 3 {
		t.Fatalf("after 3s: %v", got)
	}
	if !c.Now().Equal(time.Unix(3, 0)) {
		t.Fatalf("now = %v", c.Now())
	}
}

func TestFakeTimerArmedByATimer(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	n := 0
	var tick func()
	tick = func() { n++; c.AfterFunc(time.Second, tick) }
	c.AfterFunc(time.Second, tick)
	c.Advance(5 * time.Second)
	if n != 5 {
		t.Fatalf("ticks = %d, want 5", n)
	}
}

func TestFakeJumpKeepsTimersRemainingWait(t *testing.T) {
	c := NewFake(time.Unix(0, 0))
	fired := 0
	c.AfterFunc(10*time.Second, func() { fired++ })
	c.Jump(-time.Hour)
	if !c.Now().Equal(time.Unix(-3600, 0)) || fired != 0 {
		t.Fatalf("after a jump back: now %v, fired %d", c.Now(), fired)
	}
	c.Advance(9 * time.Second)
	if fired != 0 {
		t.Fatal("the timer fired early after a jump back")
	}
	c.Advance(time.Second)
	if fired != 1 {
		t.Fatal("the timer did not fire after its 10 s of monotonic wait")
	}
	c.AfterFunc(10*time.Second, func() { fired++ })
	c.Jump(5 * time.Hour)
	if fired != 1 {
		t.Fatal("a jump forward ran a timer")
	}
	c.Advance(10 * time.Second)
	if fired != 2 {
		t.Fatal("the timer did not fire 10 s after a jump forward")
	}
}
