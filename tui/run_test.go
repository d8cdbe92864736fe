package tui

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/term"

	"github.com/gatehouse/gatehouse/store"
)

// With no terminal (a pipe, a cron job) the console says what to do
// instead of bubbletea's "could not open TTY".
func TestRunWithoutATerminalSaysWhatToDo(t *testing.T) {
	if term.IsTerminal(int(os.Stdout.Fd())) {
		t.Skip("standard output is a terminal here: the console would open")
	}
	err := Run(newTestStore(t, 0), store.LocalActor("test"), testScreens, Options{})
	if !errors.Is(err, ErrNoTerminal) {
		t.Fatalf("Run without a terminal: %v, want %v", err, ErrNoTerminal)
	}
}
