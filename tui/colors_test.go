package tui

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// Inside tmux the first frame's colours come from the environment alone;
// tmux's answer (`tmux info`), when it allows true colour, comes after.
func TestFirstFrameColoursDoNotAskTmux(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in tmux is a shell script")
	}
	bin := t.TempDir()
	asked := filepath.Join(t.TempDir(), "asked")
	script := "#!/bin/sh\necho asked >> " + asked + "\necho '  197: Tc: (flag) true'\n"
	if err := os.WriteFile(filepath.Join(bin, "tmux"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	env := []string{"TERM=xterm-256color", "TMUX=/tmp/tmux-0/default,1,0", "TTY_FORCE=1"}

	first, more := terminalColors(io.Discard, env)
	if first != colorprofile.ANSI256 {
		t.Errorf("first frame's profile %v, want %v (TERM's)", first, colorprofile.ANSI256)
	}
	if _, err := os.Stat(asked); err == nil {
		t.Fatal("tmux was asked before the first frame")
	}
	if all, ok := more(); !ok || all != colorprofile.TrueColor {
		t.Errorf("after the first frame: %v, %v; want %v, true (tmux allows true colour)", all, ok, colorprofile.TrueColor)
	}
	if _, err := os.Stat(asked); err != nil {
		t.Errorf("tmux was never asked: %v", err)
	}
}

// What tmux does not raise stays as it was: no second profile is sent.
func TestColoursTmuxDoesNotRaiseStay(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no tmux at all
	first, more := terminalColors(io.Discard, []string{"TERM=xterm-256color", "TMUX=/tmp/tmux-0/default,1,0", "TTY_FORCE=1"})
	if all, ok := more(); ok {
		t.Errorf("first %v, then %v: a profile was sent though tmux said nothing", first, all)
	}
}
