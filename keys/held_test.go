//go:build linux

package keys_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/keys/attach"
)

// A console the holder runs itself (Hold: the first console, on the
// terminal handed to it) is one of its clients: while it is held the
// holder outlives every attached client, however short its Linger; it ends
// its Linger after the release; and a holder that stops ends that console
// with the reason and waits for its release before it returns.
func TestLocalHeldConsoleKeepsTheHolder(t *testing.T) {
	t.Parallel()
	h := newHolder(t, time.Nanosecond, echoLocal)
	release := h.srv.Hold(func(string) { t.Error("ended though the holder was not stopped") })
	// each attached command ends with no session open: a nanosecond
	// after it the holder would end, but for the held console
	for i := 0; i < 3; i++ {
		if code, _, _, err := run(t, h.sock, "", "x"); err != nil || code != 7 {
			t.Fatalf("attached command %d while a console is held: %d %v", i, code, err)
		}
	}
	release()
	select {
	case err := <-h.ended:
		h.ended <- err
	case <-time.After(patience):
		t.Fatal("the holder did not end after its held console was released")
	}
	if _, _, _, err := run(t, h.sock, "", "x"); !errors.Is(err, attach.ErrNoHolder) {
		t.Fatalf("after the holder ended: %v", err)
	}

	h2 := newHolder(t, time.Hour, echoLocal)
	reasons := make(chan string, 2)
	var released atomic.Bool
	var release2 func()
	release2 = h2.srv.Hold(func(reason string) {
		reasons <- reason
		go func() { released.Store(true); release2() }()
	})
	h2.stop()
	select {
	case err := <-h2.ended:
		h2.ended <- err
	case <-time.After(patience):
		t.Fatal("the holder did not stop")
	}
	if !released.Load() {
		t.Fatal("the holder returned before its held console was released")
	}
	if r := <-reasons; r != "the gatehouse process holding the database is stopping; a change set is written whole or not at all; start gatehouse again" {
		t.Fatalf("the held console was ended with %q", r)
	}
}
