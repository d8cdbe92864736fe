package keys_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// The abuse campaign over SSH: password guessing, token guessing, 500
// connections dropped mid-handshake, clients that never read their output,
// a window resized 1,000 times a second, panics forced in handlers. During
// and after each, a well-behaved client (another address, its own key) signs
// in and runs a command; the heap and the goroutines come back to where they
// were; every refusal is in the server log. Short in `go test ./...`, longer
// with GATEHOUSE_CAMPAIGN=long.

type abuseHeap struct {
	heap       uint64
	goroutines int
}

func abuseSettle() abuseHeap {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	runtime.ReadMemStats(&ms)
	return abuseHeap{ms.HeapInuse, runtime.NumGoroutine()}
}

// abuseSettled waits for the goroutines to come back near base.
func abuseSettled(base abuseHeap) abuseHeap {
	var h abuseHeap
	for deadline := time.Now().Add(patience); ; {
		h = abuseSettle()
		if h.goroutines <= base.goroutines+5 || time.Now().After(deadline) {
			return h
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wellBehaved signs the manager in with their key from an address the
// abuse never used, and runs a command.
func (f *fixture) wellBehaved(t *testing.T, ip string) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	c, banner, err := f.dialFrom(ip, "whoever", gossh.PublicKeys(f.signer[emManager]))
	if err != nil {
		return 0, fmt.Errorf("sign-in: %v (banner %q)", err, banner)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return 0, err
	}
	defer s.Close()
	out, err := s.Output("effective " + emManager)
	if err != nil || !strings.Contains(string(out), "Manager") {
		return 0, fmt.Errorf("command: %v %q", err, out)
	}
	return time.Since(start), nil
}

// during runs the well-behaved client at once and every 50ms while abuse runs, then
// once after it; it reports the slowest answer.
func (f *fixture) during(t *testing.T, name string, abuse func()) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var slowest atomic.Int64
	var served atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			if i > 0 {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
			d, err := f.wellBehaved(t, "127.0.0.9")
			if err != nil {
				t.Errorf("%s: the well-behaved client was not served during the abuse: %v", name, err)
				return
			}
			served.Add(1)
			if int64(d) > slowest.Load() {
				slowest.Store(int64(d))
			}
		}
	}()
	abuse()
	close(stop)
	wg.Wait()
	d, err := f.wellBehaved(t, "127.0.0.9")
	if err != nil {
		t.Errorf("%s: the well-behaved client was not served after the abuse: %v", name, err)
	}
	t.Logf("%s: well-behaved client served %d times during (slowest %s), after in %s", name, served.Load(), time.Duration(slowest.Load()).Round(time.Millisecond), d.Round(time.Millisecond))
}

func TestCampaignAbuse(t *testing.T) {
	guesses := proof.Pick(30, 500)
	drops := proof.Pick(500, 2000)
	resizeFor := proof.Pick(time.Second, 10*time.Second)
	stuck := proof.Pick(3, 20)
	panics := proof.Pick(10, 200)

	var armed atomic.Int64 // panics left to force in the console handler
	var checks *atomic.Int64
	f := newFixture(t, func(s *keys.Server) {
		checks = keys.CountPasswordChecks(s)
		keys.SetPanicHook(s, func(where string) {
			if where == "console" && armed.Add(-1) >= 0 {
				panic("forced panic in the console handler")
			}
		})
	})
	if _, err := f.st.Apply(store.LocalActor("test"), "abuse settings", func(tx *store.Tx) error {
		if err := tx.SetSetting("lockout-attempts", "5"); err != nil {
			return err
		}
		// a log big enough that `audit log --json` overflows an SSH window (2 MiB)
		for i := range 3000 {
			if _, err := tx.AddUser(store.NewUser{First: "Filler", Last: fmt.Sprint(i), Email: fmt.Sprintf("filler%04d@example.com", i), Type: store.Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wellBehaved(t, "127.0.0.9"); err != nil {
		t.Fatal(err)
	}
	base := abuseSettle()
	results := []string{}
	logCount := func(s string) int { return strings.Count(f.logs.String(), s) }

	// 1. password guessing, 10 at a time, from one address
	refusedBefore := logCount("sign-in refused")
	var signedIn atomic.Int64
	f.during(t, "password guessing", func() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 10)
		for i := range guesses {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if c, _, err := f.dialFrom("127.0.0.2", emAdmin, answers(fmt.Sprintf("guess number %d", i))); err == nil {
					signedIn.Add(1)
					c.Close()
				}
			}()
		}
		wg.Wait()
	})
	refused := logCount("sign-in refused") - refusedBefore
	if signedIn.Load() != 0 || refused < guesses {
		t.Errorf("password guessing: %d signed in, %d refusals logged for %d guesses", signedIn.Load(), refused, guesses)
	}
	if n := checks.Load(); n > 5+10 {
		t.Errorf("password guessing: %d argon2 checks; the lockout (5) should stop hashing", n)
	}
	results = append(results, fmt.Sprintf("password guessing: %d guesses, 0 signed in, %d argon2 checks (lockout at 5), %d refusals logged", guesses, checks.Load(), refused))

	// 2. token guessing
	invBefore := logCount("invitation refused")
	var accepted atomic.Int64
	f.during(t, "token guessing", func() {
		for range guesses {
			b := make([]byte, 20)
			rand.Read(b)
			if c, _, err := f.dialFrom("127.0.0.3", keys.InviteUser, answers(hex.EncodeToString(b), "a new password!", "a new password!")); err == nil {
				accepted.Add(1)
				c.Close()
			}
		}
	})
	invRefused := logCount("invitation refused") - invBefore
	if accepted.Load() != 0 || invRefused < guesses {
		t.Errorf("token guessing: %d accepted, %d refusals logged for %d guesses", accepted.Load(), invRefused, guesses)
	}
	results = append(results, fmt.Sprintf("token guessing: %d guesses, 0 accepted, %d refusals logged", guesses, invRefused))

	// 3. connections dropped mid-handshake, 50 at a time
	var opened atomic.Int64
	f.during(t, "handshake drops", func() {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 50)
		for i := range drops {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(1+i%200))}}
				c, err := d.Dial("tcp", f.addr)
				if err != nil {
					return
				}
				opened.Add(1)
				switch i % 3 {
				case 0: // nothing at all
				case 1: // a version line only
					c.Write([]byte("SSH-2.0-abuse\r\n"))
				default: // a version line and half a key exchange
					junk := make([]byte, 300)
					rand.Read(junk)
					c.Write(append([]byte("SSH-2.0-abuse\r\n\x00\x00\x01\x2c\x08\x14"), junk[:100+i%200]...))
				}
				c.Close()
			}()
		}
		wg.Wait()
	})
	results = append(results, fmt.Sprintf("handshake drops: %d connections opened and dropped", opened.Load()))

	// 4. clients that never read their output
	var stuckClients []*gossh.Client
	f.during(t, "clients that never read", func() {
		for range stuck {
			c, _, err := f.dialFrom("127.0.0.5", "whoever", gossh.PublicKeys(f.signer[emAdmin]))
			if err != nil {
				t.Errorf("stuck client sign-in: %v", err)
				return
			}
			stuckClients = append(stuckClients, c)
			s, err := c.NewSession()
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := s.StdoutPipe(); err != nil { // never read
				t.Error(err)
				return
			}
			if err := s.Start("audit log --json"); err != nil {
				t.Error(err)
				return
			}
		}
		time.Sleep(500 * time.Millisecond) // their windows fill; the server waits on them
	})
	for _, c := range stuckClients {
		c.Close()
	}
	results = append(results, fmt.Sprintf("never-reading clients: %d sessions each owed ~2+ MiB, closed without reading", len(stuckClients)))

	// 5. a window resized 1,000 times a second
	resized := 0
	f.during(t, "resize storm", func() {
		c, _, err := f.dialFrom("127.0.0.6", "whoever", gossh.PublicKeys(f.signer[emAdmin]))
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		sc := console(t, c, "dumb")
		sc.waitFor("Users")
		// 1,000 a second: each millisecond catches up with the schedule
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		begin := time.Now()
		for end := begin.Add(resizeFor); time.Now().Before(end); {
			<-tick.C
			for due := int(time.Since(begin) / time.Millisecond); resized < due; resized++ {
				if err := sc.sess.WindowChange(20+resized%60, 60+resized%140); err != nil {
					t.Errorf("window change: %v", err)
					return
				}
			}
		}
		// the console still answers: the Sites & teams tab
		sc.in.Write([]byte("2"))
		sc.waitFor("Sites & teams")
	})
	results = append(results, fmt.Sprintf("resize storm: %d window changes in %s", resized, resizeFor))

	// 6. panics forced in the console handler
	panicsBefore := logCount("panic recovered")
	f.during(t, "forced panics", func() {
		armed.Store(int64(panics))
		for range panics {
			c, _, err := f.dialFrom("127.0.0.7", "whoever", gossh.PublicKeys(f.signer[emAdmin]))
			if err != nil {
				t.Errorf("panic client sign-in: %v", err)
				return
			}
			s, _ := c.NewSession()
			s.RequestPty("dumb", 24, 80, gossh.TerminalModes{})
			var errb strings.Builder
			s.Stderr = &errb
			s.Stdout = io.Discard
			s.Shell()
			s.Wait()
			c.Close()
		}
	})
	recovered := logCount("panic recovered") - panicsBefore
	if recovered != panics {
		t.Errorf("forced panics: %d forced, %d recovered and logged", panics, recovered)
	}
	results = append(results, fmt.Sprintf("forced panics: %d in the console handler, %d recovered and logged", panics, recovered))

	after := abuseSettled(base)
	growth := int64(after.heap) - int64(base.heap)
	if growth > 64<<20 || after.goroutines > base.goroutines+5 {
		t.Errorf("not bounded: heap in use %d → %d MiB, goroutines %d → %d", base.heap>>20, after.heap>>20, base.goroutines, after.goroutines)
		var dump strings.Builder
		pprof.Lookup("goroutine").WriteTo(&dump, 1)
		t.Logf("goroutines:\n%s", dump.String())
	}
	if strings.Contains(f.logs.String(), "session start") && strings.Count(f.logs.String(), "user="+emAdmin) == 0 {
		t.Error("no admin session logged")
	}
	for _, r := range results {
		t.Log(r)
	}
	proof.Figure(t, "abuse", "%s; well-behaved client served during and after each; heap in use %d → %d MiB (the test keeps the server log in memory: %d MiB), goroutines %d → %d; refusals logged: %d sign-in, %d invitation; server up throughout",
		strings.Join(results, "; "), base.heap>>20, after.heap>>20, len(f.logs.String())>>20, base.goroutines, after.goroutines, refused, invRefused)
}
