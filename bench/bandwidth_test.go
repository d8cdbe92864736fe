package bench

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/bench/firstframe"
)

// Bytes over the wire: what the console writes to the terminal per
// keystroke, through a real SSH session, for two builds of the real binary
// side by side in one run: a baseline built from a git revision
// ($GATEHOUSE_BASELINE, default defaultBaseline: the last Charm v1 commit)
// and the current working tree. Both Charm versions cannot live in one
// process, so each build is a process: `gatehouse serve` on 127.0.0.1 on its
// own copy of a 2,000-user demo database (made with that binary, an
// ed25519 key enrolled for its first Administrator with that binary).
//
// The terminal is tmux (a socket of its own, 200×60) running OpenSSH's ssh
// -tt with TERM=xterm-256color: tmux answers the program's queries, and
// `pipe-pane -o` appends every byte the program writes to a file. For each
// key the bytes are the file's growth from just before send-keys until the
// screen shows the key's result (the cursor marker › on the row that should
// now be under it, the details pane naming that user) and the file's size
// then reads the same twice, 10 ms apart.
//
// Per iteration: Home, then 30 cursor steps (Down) from the top of the list
// (the list does not scroll: a plain cursor step); and Home, one page-down
// not measured (the cursor is then on the last visible row), then 10
// page-downs, each of which scrolls a whole page. Reported per build and key
// kind: min, median, p90, max and mean bytes per key over every iteration.

// defaultBaseline is main's HEAD when this benchmark was written: the last
// commit on Charm v1.
const defaultBaseline = "4dd9f9653f8a49e79ce5b7541e9015f1e87a7da2"

const (
	bwUsers    = 2_000
	bwW, bwH   = 200, 60
	bwDowns    = 30
	bwPageDown = 10
	// bwSettled is in the status bar once the console is idle with nothing
	// pending (the first frame shows it).
	bwSettled = "no pending changes"
	bwKeyWait = 10 * time.Second
)

func BenchmarkConsoleBytesOverSSH(b *testing.B) {
	for _, tool := range []string{"tmux", "ssh", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is not installed (.ci/run installs openssh-client and tmux)", tool)
		}
	}
	// built inside their sub-benchmark, so -bench ConsoleBytesOverSSH/current
	// builds and runs only the working tree
	builds := []struct {
		name  string
		build func(testing.TB) string
	}{
		{"baseline", baselineBinary},
		{"current", currentBinary},
	}
	for _, bd := range builds {
		b.Run(bd.name, func(b *testing.B) {
			c := startConsole(b, bd.name, bd.build(b))
			defer c.stop()
			b.Run("down", func(b *testing.B) {
				var per [][]byte
				for b.Loop() {
					c.home(b)
					for range bwDowns {
						per = append(per, c.press(b, "Down"))
					}
				}
				reportBytes(b, bd.name+"-down", per)
			})
			b.Run("pgdown", func(b *testing.B) {
				var per [][]byte
				for b.Loop() {
					c.home(b)
					c.press(b, "PageDown") // the cursor to the last visible row
					for range bwPageDown {
						per = append(per, c.press(b, "PageDown"))
					}
				}
				reportBytes(b, bd.name+"-pgdown", per)
			})
		})
	}
}

// reportBytes reports the sizes of the keys' outputs, what the median key's
// output is made of (classify), and with $GATEHOUSE_BYTES_DUMP set writes
// each key's output to a file of its own in that directory.
func reportBytes(b *testing.B, name string, keys [][]byte) {
	if len(keys) == 0 {
		return
	}
	if dir := os.Getenv("GATEHOUSE_BYTES_DUMP"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for i, k := range keys {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%03d.out", name, i)), k, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	byLen := slices.Clone(keys)
	slices.SortStableFunc(byLen, func(x, y []byte) int { return len(x) - len(y) })
	med := classify(byLen[len(byLen)/2]) // the key median() picks
	for c := range numClasses {
		b.ReportMetric(float64(med.bytes[c]), "B-"+classNames[c]+"/median-key")
	}
	b.Logf("%s: the median key's %d bytes (%d keys):\n%s", name, med.total(), len(keys), med)
	s := make([]int, len(byLen))
	for i, k := range byLen {
		s[i] = len(k)
	}
	sum := 0
	for _, n := range s {
		sum += n
	}
	p90 := s[max(int(math.Ceil(0.9*float64(len(s))))-1, 0)]
	b.ReportMetric(float64(s[0]), "B/key-min")
	b.ReportMetric(float64(median(s)), "B/key-median")
	b.ReportMetric(float64(p90), "B/key-p90")
	b.ReportMetric(float64(s[len(s)-1]), "B/key-max")
	b.ReportMetric(float64(sum)/float64(len(s)), "B/key-mean")
	b.ReportMetric(float64(len(s)), "keys")
}

// The binaries, built once per test process in the fixture directory.
var (
	bwMu   sync.Mutex
	bwBins = map[string]string{}
)

// currentBinary builds the working tree (with the root module's go.mod, as
// the product is built), once per test process.
func currentBinary(tb testing.TB) string {
	tb.Helper()
	bwMu.Lock()
	defer bwMu.Unlock()
	if p, ok := bwBins["current"]; ok {
		return p
	}
	p := goBuild(tb, "..", filepath.Join(fixtureDir, "current"))
	bwBins["current"] = p
	return p
}

// baselineBinary builds $GATEHOUSE_BASELINE (default defaultBaseline) from
// `git archive` of that commit, once per revision.
func baselineBinary(tb testing.TB) string {
	tb.Helper()
	rev := os.Getenv("GATEHOUSE_BASELINE")
	if rev == "" {
		rev = defaultBaseline
	}
	out, err := exec.Command("git", "-C", "..", "rev-parse", "--verify", "--end-of-options", rev+"^{commit}").CombinedOutput()
	if err != nil {
		tb.Fatalf("GATEHOUSE_BASELINE=%s: git rev-parse: %v\n%s", rev, err, out)
	}
	hash := strings.TrimSpace(string(out))
	bwMu.Lock()
	defer bwMu.Unlock()
	if p, ok := bwBins[hash]; ok {
		return p
	}
	src, err := os.MkdirTemp(fixtureDir, "src-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(src)
	archive := exec.Command("git", "-C", "..", "archive", "--format=tar", hash)
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	untar.Stdin = pipe
	var aerr, terr bytes.Buffer
	archive.Stderr, untar.Stderr = &aerr, &terr
	if err := untar.Start(); err != nil {
		tb.Fatal(err)
	}
	if err := archive.Run(); err != nil {
		untar.Wait()
		tb.Fatalf("git archive %s: %v\n%s", hash, err, aerr.String())
	}
	if err := untar.Wait(); err != nil {
		tb.Fatalf("tar -x: %v\n%s", err, terr.String())
	}
	p := goBuild(tb, src, filepath.Join(fixtureDir, hash))
	tb.Logf("baseline: %s", hash)
	bwBins[hash] = p
	return p
}

// goBuild builds the checkout at dir into the folder out and returns the
// binary people run there: gatehouse, with gatehouse-core beside it where
// the checkout has one (before it, gatehouse was one program).
func goBuild(tb testing.TB, dir, out string) string {
	tb.Helper()
	pkgs := []string{"./cmd/gatehouse"}
	if _, err := os.Stat(filepath.Join(dir, "cmd", "gatehouse-core")); err == nil {
		pkgs = append(pkgs, "./cmd/gatehouse-core")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		tb.Fatal(err)
	}
	c := exec.Command("go", append([]string{"build", "-o", out + string(filepath.Separator)}, pkgs...)...)
	c.Dir = dir
	// as README installs it: static, which starts each process about 4 ms
	// sooner than a build that loads the C library
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := c.CombinedOutput(); err != nil {
		tb.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
	return filepath.Join(out, "gatehouse")
}

// bwConsole is one build's server and one terminal signed in to it.
type bwConsole struct {
	dir, bin, sock, pipe string
	serve                *exec.Cmd
	served               chan error
	serveLog             *syncBuffer
	stopOnce             sync.Once
	top                  bwRow // the row under the cursor in the first frame
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (c *bwConsole) run(tb testing.TB, args ...string) []byte {
	tb.Helper()
	out, err := exec.Command(c.bin, append([]string{"--db", filepath.Join(c.dir, "gatehouse.db")}, args...)...).CombinedOutput()
	if err != nil {
		tb.Fatalf("gatehouse %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func startConsole(tb testing.TB, name, bin string) *bwConsole {
	tb.Helper()
	dir, err := os.MkdirTemp(fixtureDir, "bytes-"+name+"-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &bwConsole{dir: dir, bin: bin, sock: fmt.Sprintf("gh-bytes-%d-%s", os.Getpid(), name),
		pipe: filepath.Join(dir, "pane.out"), serveLog: &syncBuffer{}}
	tb.Cleanup(c.stop)
	db := filepath.Join(dir, "gatehouse.db")
	c.run(tb, "demo", "--users", fmt.Sprint(bwUsers))

	var admins []struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(c.run(tb, "users", "list", "--profile", "Administrator", "--json"), &admins); err != nil || len(admins) == 0 {
		tb.Fatalf("no Administrator in the demo (%v)", err)
	}
	key := writeClientKey(tb, dir)
	c.run(tb, "users", "add-key", admins[0].Email, key+".pub")

	// the server, on a free port it picks and prints
	c.serve = exec.Command(bin, "--db", db, "serve", "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "hostkey"))
	c.serve.Stderr = c.serveLog
	stdout, err := c.serve.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.serve.Start(); err != nil {
		tb.Fatal(err)
	}
	c.served = make(chan error, 1)
	addrs := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(c.serveLog, sc.Text())
			if a, ok := strings.CutPrefix(sc.Text(), "gatehouse serve: listening on "); ok {
				addrs <- strings.TrimSpace(a)
			}
		}
		io.Copy(io.Discard, stdout)
		c.served <- c.serve.Wait()
	}()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-c.served:
		c.served <- err
		tb.Fatalf("serve exited: %v\n%s", err, c.serveLog.String())
	case <-time.After(30 * time.Second):
		tb.Fatalf("serve printed no address within 30s\n%s", c.serveLog.String())
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s accepted no connection within 10s", addr)
		}
	}
	_, port, _ := net.SplitHostPort(addr)

	// the terminal: tmux sets TERM itself in the pane (-e TERM= is
	// overridden), so env sets it for ssh, which sends it to the server
	sshCmd := []string{"env", "TERM=xterm-256color", "ssh", "-tt", "-F", "/dev/null", "-p", port, "-i", key,
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-l", admins[0].Email, "127.0.0.1"}
	var line []string
	for _, a := range sshCmd {
		line = append(line, firstframe.Quote(a))
	}
	cmdline := strings.Join(line, " ") + " 2>" + firstframe.Quote(filepath.Join(dir, "ssh.err"))
	if out, err := c.tmux("new-session", "-d", "-s", "main", "-x", fmt.Sprint(bwW), "-y", fmt.Sprint(bwH), cmdline); err != nil {
		tb.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	if out, err := c.tmux("pipe-pane", "-o", "-t", "main", "cat >> "+firstframe.Quote(c.pipe)); err != nil {
		tb.Fatalf("tmux pipe-pane: %v\n%s", err, out)
	}
	scr := c.waitScreen(tb, 60*time.Second, "the first frame", func(s bwScreen) bool {
		_, ok := s.cursor()
		return strings.Contains(s.text, firstFrame) && strings.Contains(s.text, bwSettled) && ok && s.detailsMatch()
	})
	c.top, _ = scr.cursor()
	c.quiet(tb)
	return c
}

func writeClientKey(tb testing.TB, dir string) string {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		tb.Fatal(err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sshPub), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func (c *bwConsole) tmux(args ...string) ([]byte, error) {
	cmd := exec.Command("tmux", append([]string{"-L", c.sock, "-f", "/dev/null"}, args...)...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "TMUX=") })
	return cmd.CombinedOutput()
}

// stop ends the terminal (ssh ends with it) and the server (SIGTERM, then
// SIGKILL after 10 s), both by their own handles.
func (c *bwConsole) stop() {
	c.stopOnce.Do(func() {
		c.tmux("kill-server")
		if c.served == nil {
			return
		}
		c.serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.served:
		case <-time.After(10 * time.Second):
			c.serve.Process.Kill()
			<-c.served
		}
	})
}

func (c *bwConsole) size(tb testing.TB) int64 {
	tb.Helper()
	fi, err := os.Stat(c.pipe)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

// quiet waits until the recording's size reads the same twice, 10 ms apart.
func (c *bwConsole) quiet(tb testing.TB) int64 {
	tb.Helper()
	last := c.size(tb)
	for deadline := time.Now().Add(bwKeyWait); ; {
		time.Sleep(10 * time.Millisecond)
		n := c.size(tb)
		if n == last {
			return n
		}
		last = n
		if time.Now().After(deadline) {
			tb.Fatalf("the console kept writing for %s", bwKeyWait)
		}
	}
}

// press sends one key, waits for its result, and returns what the console
// wrote for it.
func (c *bwConsole) press(tb testing.TB, key string) []byte {
	tb.Helper()
	before := c.screen(tb)
	cur, ok := before.cursor()
	if !ok {
		tb.Fatalf("no cursor row before %s:\n%s", key, before.text)
	}
	next, hasNext := before.rowAt(cur.line + 1)
	start := c.size(tb)
	if out, err := c.tmux("send-keys", "-t", "main", key); err != nil {
		tb.Fatalf("tmux send-keys %s: %v\n%s", key, err, out)
	}
	c.waitScreen(tb, bwKeyWait, key, func(s bwScreen) bool {
		now, ok := s.cursor()
		if !ok || now.email == cur.email || !s.detailsMatch() {
			return false
		}
		// a cursor step lands on the row that was below the cursor
		return key != "Down" || !hasNext || now.email == next.email
	})
	return c.written(tb, start, c.quiet(tb))
}

// written is the recording's bytes [from, to).
func (c *bwConsole) written(tb testing.TB, from, to int64) []byte {
	tb.Helper()
	f, err := os.Open(c.pipe)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	p := make([]byte, to-from)
	if _, err := f.ReadAt(p, from); err != nil {
		tb.Fatal(err)
	}
	return p
}

// home puts the cursor back on the first row and lets the console go quiet.
func (c *bwConsole) home(tb testing.TB) {
	tb.Helper()
	if out, err := c.tmux("send-keys", "-t", "main", "Home"); err != nil {
		tb.Fatalf("tmux send-keys Home: %v\n%s", err, out)
	}
	c.waitScreen(tb, bwKeyWait, "Home", func(s bwScreen) bool {
		now, ok := s.cursor()
		return ok && now.email == c.top.email && s.detailsMatch()
	})
	c.quiet(tb)
}

func (c *bwConsole) screen(tb testing.TB) bwScreen {
	tb.Helper()
	out, err := c.tmux("capture-pane", "-p", "-t", "main")
	if err != nil {
		tb.Fatalf("tmux capture-pane: %v\n%s\nssh: %s\nserve: %s", err, out, c.sshErr(), c.serveLog.String())
	}
	return parseScreen(string(out))
}

func (c *bwConsole) sshErr() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "ssh.err"))
	return strings.TrimSpace(string(b))
}

// waitScreen polls the screen every 10 ms until ok holds, bounded by d.
func (c *bwConsole) waitScreen(tb testing.TB, d time.Duration, what string, ok func(bwScreen) bool) bwScreen {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		s := c.screen(tb)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: the screen did not show the expected state within %s:\n%s\nssh: %s", what, d, s.text, c.sshErr())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// bwScreen is a captured screen of the Users screen: the Employees box (the
// list, its header row first) and the Details box beside it.
type bwScreen struct {
	text  string
	lines [][]rune
	top   int // the line of the boxes' top borders; -1 if not found
	// rune columns of the list box's borders and the details box's left border
	listL, listR, detL int
	// rune columns of the NAME and EMAIL headers in the list box, and the
	// header after EMAIL
	nameC, emailC, afterC int
}

type bwRow struct {
	line        int
	name, email string
}

func parseScreen(text string) bwScreen {
	s := bwScreen{text: text, top: -1}
	for _, l := range strings.Split(text, "\n") {
		s.lines = append(s.lines, []rune(l))
	}
	for i, l := range s.lines {
		str := string(l)
		if strings.Contains(str, firstFrame) && strings.Contains(str, "─ Details") {
			s.top = i
			s.listL = slices.Index(l, '┏')
			s.listR = slices.Index(l, '┓')
			s.detL = -1
			for j := s.listR + 1; j < len(l); j++ {
				if l[j] == '┌' {
					s.detL = j
					break
				}
			}
			break
		}
	}
	if s.top < 0 || s.listL < 0 || s.listR < s.listL || s.top+1 >= len(s.lines) {
		s.top = -1
		return s
	}
	head := []rune(s.segment(s.top+1, s.listL+1, s.listR))
	s.nameC = runeIndex(head, "NAME")
	s.emailC = runeIndex(head, "EMAIL")
	if s.nameC < 0 || s.emailC < s.nameC {
		s.top = -1
		return s
	}
	s.afterC = len(head)
	for j := s.emailC + len("EMAIL"); j < len(head); j++ {
		if head[j] != ' ' && head[j-1] == ' ' {
			s.afterC = j
			break
		}
	}
	return s
}

func runeIndex(r []rune, sub string) int {
	i := strings.Index(string(r), sub)
	if i < 0 {
		return -1
	}
	return len([]rune(string(r)[:i]))
}

// segment is line i's runes [from, to) as a string (the screen is ASCII
// and box drawing here, one column a rune).
func (s bwScreen) segment(i, from, to int) string {
	if i < 0 || i >= len(s.lines) {
		return ""
	}
	l := s.lines[i]
	from, to = max(from, 0), min(to, len(l))
	if from >= to {
		return ""
	}
	return string(l[from:to])
}

// rowAt is the list row on screen line i.
func (s bwScreen) rowAt(i int) (bwRow, bool) {
	if s.top < 0 || i <= s.top+1 || i >= len(s.lines) || len(s.lines[i]) <= s.listR || s.lines[i][s.listL] != '┃' {
		return bwRow{}, false
	}
	r := []rune(s.segment(i, s.listL+1, s.listR))
	if len(r) < s.afterC || strings.TrimSpace(string(r)) == "" {
		return bwRow{}, false
	}
	row := bwRow{line: i, name: strings.TrimSpace(string(r[s.nameC:s.emailC])), email: strings.TrimSpace(string(r[s.emailC:s.afterC]))}
	return row, row.email != ""
}

// cursor is the row the cursor marker › is on.
func (s bwScreen) cursor() (bwRow, bool) {
	if s.top < 0 {
		return bwRow{}, false
	}
	for i := s.top + 2; i < len(s.lines); i++ {
		if seg := []rune(s.segment(i, s.listL+1, s.listR)); len(seg) > 0 && seg[0] == '›' {
			return s.rowAt(i)
		}
	}
	return bwRow{}, false
}

// detailsMatch: the details pane's first two lines are the name and email
// of the row under the cursor (the row's cells may end in … where cut).
func (s bwScreen) detailsMatch() bool {
	cur, ok := s.cursor()
	if !ok || s.detL <= s.listR {
		return false
	}
	name := strings.Trim(s.segment(s.top+1, s.detL+1, len(s.lines[s.top+1])), "│ ")
	email := strings.Trim(s.segment(s.top+2, s.detL+1, len(s.lines[s.top+2])), "│ ")
	return cellShows(cur.name, name) && cellShows(cur.email, email)
}

func cellShows(cell, full string) bool {
	if cell == "" {
		return false
	}
	if p, cut := strings.CutSuffix(cell, "…"); cut {
		return strings.HasPrefix(full, p)
	}
	return cell == full
}
