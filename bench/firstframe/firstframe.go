// Package firstframe starts a program in a new tmux server and tells when a
// text is on tmux's screen, without polling: the server is started by a
// control-mode client (tmux -C), which hears of every write the program
// makes (%output), and tmux's own screen is read (capture-pane, over the
// same client) only after output arrived. A poll of `tmux capture-pane`
// every few milliseconds is a process each time: on two cores it took a
// core's share from the program it measured.
package firstframe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Session is one tmux server with one window, driven over its control client.
type Session struct {
	sock  string
	env   []string
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan []byte // the control client's output, line by line; closed at its end
}

// Start starts a tmux server on socket sock (tmux -L) running argv in a
// w×h window, in this process's environment less $TMUX (a tmux the caller
// runs in must not be the one it talks to).
func Start(sock string, w, h int, argv ...string) (*Session, error) {
	s := &Session{sock: sock, env: Environ(), lines: make(chan []byte, 64)}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = Quote(a)
	}
	cmd := s.tmux("-C", "new-session", "-s", "cold", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "exec "+strings.Join(quoted, " "))
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("tmux: %w; install tmux", err)
	}
	s.cmd, s.in = cmd, in
	go func() {
		defer close(s.lines)
		r := bufio.NewReaderSize(out, 64<<10)
		for {
			b, err := r.ReadBytes('\n')
			if len(b) > 0 {
				s.lines <- bytes.TrimRight(b, "\r\n")
			}
			if err != nil {
				return
			}
		}
	}()
	return s, nil
}

// WaitFor returns when text is on the window's screen, with that screen, or
// an error when the program ended first or timeout passed.
func (s *Session) WaitFor(text string, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var (
		asked   bool // a capture-pane is on its way
		dirty   bool // output came since it was asked
		inReply bool // inside the reply to a command of ours
		screen  []string
		last    string
	)
	ask := func() error {
		asked, dirty, screen = true, false, screen[:0]
		_, err := io.WriteString(s.in, "capture-pane -p -t cold\n")
		return err
	}
	for {
		select {
		case <-deadline.C:
			return last, fmt.Errorf("%q was not on the screen within %s", text, timeout)
		case b, ok := <-s.lines:
			if !ok {
				return last, errors.New("tmux's control client ended (did the program exit?)")
			}
			line := string(b)
			switch {
			case inReply && (strings.HasPrefix(line, "%end ") || strings.HasPrefix(line, "%error ")):
				inReply, asked = false, false
				last = strings.Join(screen, "\n")
				if strings.Contains(last, text) {
					return last, nil
				}
				if dirty {
					if err := ask(); err != nil {
						return last, err
					}
				}
			case inReply:
				screen = append(screen, line)
			case strings.HasPrefix(line, "%begin "):
				// the flags field is 1 for a command this client sent; 0 is
				// the reply to new-session itself
				inReply = asked && strings.HasSuffix(line, " 1")
			case strings.HasPrefix(line, "%output "):
				if asked {
					dirty = true
				} else if err := ask(); err != nil {
					return last, err
				}
			case strings.HasPrefix(line, "%exit"):
				return last, errors.New("tmux's control client exited (did the program exit?)")
			}
		}
	}
}

// Stop ends the server and waits, bounded by timeout, until the server and
// the window's process are gone (a program holding a file lock keeps it
// until its process ends).
func (s *Session) Stop(timeout time.Duration) error {
	out, err := s.tmux("display-message", "-p", "-t", "cold", "#{pid} #{pane_pid}").CombinedOutput()
	var server, pane int
	if _, serr := fmt.Sscan(string(out), &server, &pane); err != nil || serr != nil {
		s.kill()
		return fmt.Errorf("tmux display-message: %v %v: %s", err, serr, out)
	}
	s.kill()
	deadline := time.Now().Add(timeout)
	for _, pid := range []int{pane, server} {
		for alive(pid) {
			if time.Now().After(deadline) {
				return fmt.Errorf("process %d still runs %s after its tmux server was killed", pid, timeout)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

func (s *Session) kill() {
	s.tmux("kill-server").Run()
	s.in.Close()
	for range s.lines {
	}
	s.cmd.Wait()
}

// tmux is a command to this session's server, with its environment.
func (s *Session) tmux(args ...string) *exec.Cmd {
	cmd := exec.Command("tmux", append([]string{"-L", s.sock, "-f", "/dev/null"}, args...)...)
	cmd.Env = s.env
	return cmd
}

// Environ is this process's environment less $TMUX.
func Environ() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "TMUX=") {
			env = append(env, e)
		}
	}
	return env
}

// Quote quotes s for a POSIX shell.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
