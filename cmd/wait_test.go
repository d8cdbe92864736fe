package cmd_test

import (
	"testing"
	"time"
)

// patience bounds every wait of these tests for a condition. It only ends a
// test whose condition never comes: each comes in a small part of it on a
// machine whose cores are busy, with the race detector on.
const patience = time.Minute

// eventually polls cond until it holds, failing with what (and whatever
// more says about the state) after patience.
func eventually(t *testing.T, what string, cond func() bool, more func() string) {
	t.Helper()
	for deadline := time.Now().Add(patience); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s\n%s", what, patience, more())
		}
	}
}
