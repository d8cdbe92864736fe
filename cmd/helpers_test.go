package cmd_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bin is the real gatehouse binary, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// gatehouse and gatehouse-core, side by side, as installed
	bin = filepath.Join(dir, "gatehouse")
	build := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", dir+string(filepath.Separator), "./gatehouse", "./gatehouse-core")...)
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as README installs it: static
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gatehouse: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	stopTestEtcd()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gh runs the binary against one database of its own.
type gh struct {
	t    *testing.T
	db   string
	home string
	// where, when set, names the store in place of --db (a store on
	// etcd); env is more of the environment
	where, env []string
}

func newGH(t *testing.T) *gh {
	t.Helper()
	t.Parallel()
	dir := t.TempDir()
	return &gh{t: t, db: filepath.Join(dir, "gatehouse.db"), home: dir}
}

type result struct {
	out, err string
	code     int
	args     []string
}

func (r result) String() string {
	return fmt.Sprintf("gatehouse %q: exit %d\nstdout:\n%s\nstderr:\n%s", r.args, r.code, r.out, r.err)
}

func (g *gh) runIn(stdin string, args ...string) result {
	g.t.Helper()
	where := g.where
	if where == nil {
		where = []string{"--db", g.db}
	}
	full := append(slices.Clone(where), args...)
	c := exec.Command(bin, full...)
	c.Env = append(append(os.Environ(), "HOME="+g.home, "GATEHOUSE_DB=", "GATEHOUSE_ETCD=", "XDG_DATA_HOME="+g.home, "USER=tester"), g.env...)
	c.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := result{out: out.String(), err: errb.String(), args: args}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		g.t.Fatalf("running gatehouse %q: %v", args, err)
	}
	return r
}

func (g *gh) run(args ...string) result { g.t.Helper(); return g.runIn("", args...) }

// ok runs a command that must succeed and returns its stdout.
func (g *gh) ok(args ...string) string {
	g.t.Helper()
	r := g.run(args...)
	if r.code != 0 {
		g.t.Fatalf("want exit 0, got %v", r)
	}
	return r.out
}

// fail runs a command that must end with code and one error line on stderr;
// it returns that line.
func (g *gh) fail(code int, args ...string) string {
	g.t.Helper()
	return g.failIn("", code, args...)
}

func (g *gh) failIn(stdin string, code int, args ...string) string {
	g.t.Helper()
	r := g.runIn(stdin, args...)
	if r.code != code {
		g.t.Fatalf("want exit %d, got %v", code, r)
	}
	oneErrorLine(g.t, r)
	return strings.TrimSpace(r.err)
}

// oneErrorLine checks stderr is exactly one "gatehouse: ..." line.
func oneErrorLine(t *testing.T, r result) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.err, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "gatehouse: ") || len(lines[0]) < len("gatehouse: ")+5 {
		t.Fatalf("want one 'gatehouse: <message>' line on stderr, got %v", r)
	}
}

// jsonOf runs a command with --json and decodes its stdout into v.
func (g *gh) jsonOf(v any, args ...string) {
	g.t.Helper()
	out := g.ok(append([]string{"--json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		g.t.Fatalf("gatehouse --json %q: %v\n%s", args, err, out)
	}
}

func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("%s: want %q in:\n%s", what, sub, s)
		}
	}
}

func lacks(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Fatalf("%s: did not want %q in:\n%s", what, sub, s)
		}
	}
}

// places creates the seed's clients and sites: Acme owns North Depot and
// South Yard, Zeta owns Other Place, and the business owns Head Office.
func (g *gh) places() {
	g.t.Helper()
	g.ok("clients", "add", "Acme")
	g.ok("clients", "add", "Zeta")
	g.ok("sites", "add", "North Depot", "--client", "Acme")
	g.ok("sites", "add", "South Yard", "--client", "Acme")
	g.ok("sites", "add", "Other Place", "--client", "Zeta")
	g.ok("sites", "add", "Head Office")
}

// employee adds an employee with a profile and sites.
func (g *gh) employee(first, last, email, profile string, sites ...string) {
	g.t.Helper()
	args := []string{"users", "add", "--first", first, "--last", last, "--email", email, "--type", "employee", "--profile", profile}
	for _, s := range sites {
		args = append(args, "--site", s)
	}
	g.ok(args...)
}

// userLine finds the users list line of an email.
func userLine(t *testing.T, out, email string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " "+email+" ") {
			return l
		}
	}
	t.Fatalf("no line for %s in:\n%s", email, out)
	return ""
}

// section returns the part of users list output from a heading to the next heading.
func section(out, heading string) string {
	i := strings.Index(out, heading)
	if i < 0 {
		return ""
	}
	rest := out[i+len(heading):]
	for _, next := range []string{"Employees (", "Client users ("} {
		if j := strings.Index(rest, next); j >= 0 {
			rest = rest[:j]
		}
	}
	return rest
}
