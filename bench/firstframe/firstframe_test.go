package firstframe

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func session(t *testing.T, script string) *Session {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	s, err := Start(fmt.Sprintf("gh-firstframe-%d-%s", os.Getpid(), t.Name()), 100, 30, "sh", "-c", script)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The text is found on the screen when it comes after other output, in a
// later write, and even when the program draws it with cursor movement
// between its words (what a stream of output could not be searched for).
func TestWaitForSeesTheScreenNotTheStream(t *testing.T) {
	s := session(t, `printf 'starting\n'; sleep 0.3; printf '\033[3;1HEmployXes (3)\033[3;7He\033[1;1Hx'; exec sleep 60`)
	screen, err := s.WaitFor("Employees (3)", 10*time.Second)
	if err != nil {
		t.Fatalf("%v; the screen was:\n%s", err, screen)
	}
	if !strings.Contains(screen, "tarting") || !strings.HasPrefix(screen, "x") {
		t.Errorf("the screen is not tmux's, as drawn:\n%s", screen)
	}
	if err := s.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// A program that ends before the text is shown is an error, not a hang.
func TestWaitForSaysWhenTheProgramEnded(t *testing.T) {
	s := session(t, `echo nothing to see`)
	if _, err := s.WaitFor("Employees (", time.Minute); err == nil || !strings.Contains(err.Error(), "exit") {
		t.Fatalf("err = %v, want one that says the program exited", err)
	}
	s.Stop(10 * time.Second)
}
