//go:build unix

package store_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
	bolt "go.etcd.io/bbolt"
)

// The damage campaign: a real database (the demo's 300 users and a few
// change sets) is cut short at random offsets and has a byte changed at
// random offsets, and has a 4 KiB block zeroed (a lost disk block), inside
// the pages it declares in use. Each damaged copy is
// opened in a child process (this test binary again) that does what
// `gatehouse users list` and `gatehouse audit verify` do, then reads the rest
// (outbox, invitations, audit log, change sets, export). The parent sorts
// each outcome: refused with one line; opened with everything as before;
// opened on the previous change set (bbolt fell back to the other meta
// page); opened and audit verify reports the damage; opened with something
// visibly different while audit verify says the chain is intact; crashed or
// hung (must be 0). 200 offsets of each with GATEHOUSE_CAMPAIGN=long
// (GATEHOUSE_DAMAGE_OFFSETS overrides), 10 in `go test ./...`;
// GATEHOUSE_DAMAGE_SEED replays a run.

const damageChildEnv = "GATEHOUSE_DAMAGE_CHILD_DB"

// TestCampaignDamageChild is the child; it runs only when the parent sets damageChildEnv.
func TestCampaignDamageChild(t *testing.T) {
	path := os.Getenv(damageChildEnv)
	if path == "" {
		t.Skip("the child of TestCampaignDamage")
	}
	// a damaged tree could make a reader allocate without end: let that be
	// this process's out-of-memory crash (counted), not the machine's
	lim := syscall.Rlimit{Cur: 4 << 30, Max: 4 << 30}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		fmt.Println("error rlimit:", err)
	}
	fmt.Println(damageOutcome(path))
	fmt.Println("done")
	os.Exit(0) // nothing of the test framework's own output
}

// damageOutcome opens path and reports, one line each: refused or opened,
// what users list shows, what audit verify says, and what the other reads give.
func damageOutcome(path string) string {
	var out strings.Builder
	s, err := store.Open(path, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintf(&out, "refused kind=%d lines=%d %s", store.KindOf(err), strings.Count(err.Error(), "\n")+1, err)
		return out.String()
	}
	defer s.Close()
	fmt.Fprintln(&out, "opened")
	users, err := s.Users(store.UserFilter{}) // users list
	if err != nil {
		fmt.Fprintf(&out, "users error %v\n", err)
	} else {
		fmt.Fprintf(&out, "users %d %s\n", len(users), digest(users))
	}
	fmt.Fprintf(&out, "catalog %s\n", digest([]any{s.Clients(), s.Sites(), s.Teams(), s.Profiles(), s.Screens(), s.Settings()}))
	fmt.Fprintf(&out, "batches %d\n", s.LastBatch())
	r, err := s.VerifyAudit() // audit verify
	switch {
	case err != nil:
		fmt.Fprintf(&out, "verify error kind=%d lines=%d %s\n", store.KindOf(err), strings.Count(err.Error(), "\n")+1, err)
	case r.OK:
		fmt.Fprintf(&out, "verify ok %d\n", r.Entries)
	default:
		fmt.Fprintf(&out, "verify problems %d %s\n", len(r.Problems), r.Problems[0])
	}
	// the other reads, with their panics caught here to be counted, not
	// to end the child: nothing but Open and VerifyAudit guards itself
	for _, read := range []struct {
		name string
		fn   func() (any, error)
	}{
		{"outbox", func() (any, error) { return s.Outbox() }},
		{"invitations", func() (any, error) { return s.Invitations() }},
		{"auditlog", func() (any, error) { return s.AuditLog(store.AuditFilter{}) }},
		{"batches", func() (any, error) { return s.Batches(0) }},
		{"export", func() (any, error) { return s.Export() }},
	} {
		fmt.Fprintf(&out, "read %s %s\n", read.name, guardedRead(read.fn))
	}
	return strings.TrimSpace(out.String())
}

func guardedRead(fn func() (any, error)) (res string) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			res = "panicked " + strings.ReplaceAll(fmt.Sprint(r), "\n", " ")
		}
	}()
	v, err := fn()
	if err != nil {
		return fmt.Sprintf("error kind=%d %s", store.KindOf(err), strings.ReplaceAll(err.Error(), "\n", " "))
	}
	if d, ok := v.(*store.Dump); ok {
		d.Exported = time.Time{} // the one field that is not data
	}
	return digest(v)
}

func digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unmarshalable: " + err.Error()
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))[:16]
}

// damageRun is one child's report.
type damageRun struct {
	lines   map[string]string // first word → the rest
	crashed string
}

func runDamageChild(t *testing.T, path string) damageRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCampaignDamageChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), damageChildEnv+"="+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := damageRun{lines: map[string]string{}}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		word, rest, _ := strings.Cut(sc.Text(), " ")
		if word == "read" {
			name, v, _ := strings.Cut(rest, " ")
			word, rest = "read "+name, v
		}
		r.lines[word] = rest
	}
	_, done := r.lines["done"]
	switch {
	case ctx.Err() != nil:
		r.crashed = "hung (killed after 2 minutes)"
	case err != nil || !done:
		first, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		r.crashed = fmt.Sprintf("%v: %s", err, first)
		t.Logf("crashed child's stderr, whole:\n%s", stderr.String())
	}
	return r
}

type damageStats struct {
	refused, refusedNotOneLine, same, rolledBack, verifyReports, differsIntact, crashed, hung int
	otherReadsPanicked                                                                        int
	refusedKinds                                                                              map[string]int
	examples                                                                                  map[string][]string
}

func (st *damageStats) note(class, example string) {
	if len(st.examples[class]) < 12 {
		st.examples[class] = append(st.examples[class], example)
	}
}

func TestCampaignDamage(t *testing.T) {
	offsets := proof.Int("GATEHOUSE_DAMAGE_OFFSETS", proof.Pick(10, 200))
	seed := uint64(time.Now().UnixNano())
	if v := proof.Int("GATEHOUSE_DAMAGE_SEED", 0); v > 0 {
		seed = uint64(v)
	}
	t.Logf("seed %d (GATEHOUSE_DAMAGE_SEED=%d replays it)", seed, seed)
	start := time.Now()
	dir := t.TempDir()
	src := filepath.Join(dir, "real.db")
	buildDamageSource(t, src)
	good, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	inUse := pagesInUse(t, src)
	t.Logf("source: %d bytes, %d of them in pages in use", len(good), inUse)

	base := runDamageChild(t, src)
	if _, opened := base.lines["opened"]; base.crashed != "" || !opened || !strings.HasPrefix(base.lines["verify"], "ok") {
		t.Fatalf("the undamaged database: %v %v", base.crashed, base.lines)
	}
	previous := previousState(t, good)

	rng := rand.New(rand.NewPCG(seed, seed^0xdead))
	variants := []struct {
		name   string
		damage func(off int, x byte) (string, []byte)
	}{
		{"cut short", func(off int, _ byte) (string, []byte) { return fmt.Sprintf("cut at %d", off), good[:off] }},
		{"one byte changed", func(off int, x byte) (string, []byte) {
			return fmt.Sprintf("byte %d ^= %#02x", off, x), flipped(good, off, x)
		}},
		{"a 4 KiB block zeroed", func(off int, _ byte) (string, []byte) {
			at := off &^ 4095 // a disk block lost
			b := bytes.Clone(good)
			clear(b[at:min(at+4096, len(b))])
			return fmt.Sprintf("4 KiB zeroed at %d", at), b
		}},
	}
	stats := make([]damageStats, len(variants))
	for i := range stats {
		stats[i] = damageStats{refusedKinds: map[string]int{}, examples: map[string][]string{}}
	}
	path := filepath.Join(dir, "t.db")
	for i := range offsets {
		off := rng.IntN(inUse)
		x := byte(1 + rng.IntN(255))
		for v, variant := range variants {
			name, b := variant.damage(off, x)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runDamageChild(t, path)
			stats[v].classify(t, fmt.Sprintf("#%d %s", i, name), r, base, previous)
		}
	}
	for v, st := range stats {
		for class, ex := range st.examples {
			t.Logf("%s, %s (first %d):\n\t%s", variants[v].name, class, len(ex), strings.Join(ex, "\n\t"))
		}
		kinds := make([]string, 0, len(st.refusedKinds))
		for k, n := range st.refusedKinds {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		proof.Figure(t, "damage", "%d × %s at random offsets of a %d KiB database (%d KiB in use): refused with one line %d (%s), not one line %d (must be 0); opened as before %d; opened on the previous change set (the other meta page) %d; opened and audit verify reports the damage %d; opened, visibly different, chain intact %d; other reads that panicked (caught by the child) %d; crashed %d (must be 0), hung %d (must be 0) (seed %d)",
			offsets, variants[v].name, len(good)>>10, inUse>>10, st.refused, strings.Join(kinds, ", "), st.refusedNotOneLine,
			st.same, st.rolledBack, st.verifyReports, st.differsIntact, st.otherReadsPanicked, st.crashed, st.hung, seed)
		if st.crashed+st.hung+st.refusedNotOneLine > 0 {
			t.Errorf("%s: %d crashed, %d hung, %d refusals not one line", variants[v].name, st.crashed, st.hung, st.refusedNotOneLine)
		}
	}
	t.Logf("%d children in %s", offsets*len(variants)+2, time.Since(start).Round(time.Second))
}

func (st *damageStats) classify(t *testing.T, what string, r, base damageRun, previous map[string]string) {
	t.Helper()
	if r.crashed != "" {
		if strings.HasPrefix(r.crashed, "hung") {
			st.hung++
		} else {
			st.crashed++
		}
		t.Errorf("%s: %s", what, r.crashed)
		return
	}
	for name, v := range r.lines {
		if strings.HasPrefix(name, "read ") && strings.HasPrefix(v, "panicked") {
			st.otherReadsPanicked++
			st.note("other reads that panicked", what+": "+name+" "+v)
		}
	}
	if refused, ok := r.lines["refused"]; ok {
		st.refused++
		kind, _, _ := strings.Cut(refused, " ")
		msg := refused[strings.Index(refused, " lines=")+9:]
		if !strings.Contains(refused, " lines=1 ") {
			st.refusedNotOneLine++
			t.Errorf("%s: refused with more than one line: %q", what, refused)
		}
		switch {
		case strings.Contains(msg, "is damaged: "):
			_, cause, _ := strings.Cut(msg, "is damaged: ")
			st.refusedKinds[damageCause(cause)]++
		default:
			st.refusedKinds[kind+" (not 'damaged')"]++
			st.note("refused, not as damaged", what+": "+msg)
		}
		return
	}
	same := func(ref map[string]string, keys ...string) bool {
		for _, k := range keys {
			if r.lines[k] != ref[k] {
				return false
			}
		}
		return true
	}
	data := []string{"users", "catalog", "batches", "read outbox", "read invitations", "read auditlog", "read batches", "read export"}
	verify := r.lines["verify"]
	switch {
	case !strings.HasPrefix(verify, "ok"):
		st.verifyReports++
		st.note("audit verify reports the damage", what+": "+verify)
	case same(base.lines, data...):
		st.same++
	case same(previous, data...):
		st.rolledBack++
		st.note("opened on the previous change set", what)
	default:
		st.differsIntact++
		var diff []string
		for _, k := range data {
			if r.lines[k] != base.lines[k] {
				diff = append(diff, k)
			}
		}
		st.note("visibly different, chain intact", fmt.Sprintf("%s: %s differ", what, strings.Join(diff, ", ")))
	}
}

// damageCause sorts a refusal's cause, for the figure.
func damageCause(cause string) string {
	for _, c := range []struct{ says, sort string }{
		{"cut short", "cut short"}, {"shorter than its two meta pages", "cut short"},
		{"neither meta page", "no valid meta page"},
		{"freelist", "freelist"},
		{"bucket", "a bucket's pages or contents"},
		{"outside the file", "read fault past the file"},
		{"reading it failed", "bbolt panicked"},
		{"user record", "a record does not decode"},
	} {
		if strings.Contains(cause, c.says) {
			return c.sort
		}
	}
	return "a record does not decode"
}

func flipped(b []byte, off int, x byte) []byte {
	c := bytes.Clone(b)
	c[off] ^= x
	return c
}

// buildDamageSource makes the real database the campaign damages.
func buildDamageSource(t *testing.T, path string) {
	t.Helper()
	s, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	local := store.LocalActor("test")
	if _, err := s.Demo(local, store.DemoOptions{Users: 300}); err != nil {
		t.Fatal(err)
	}
	users, err := s.Users(store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := s.Apply(local, fmt.Sprintf("damage campaign %d", i), func(tx *store.Tx) error {
			if _, err := tx.AddClient(fmt.Sprintf("Damage %d", i)); err != nil {
				return err
			}
			for _, u := range users[i*20 : i*20+20] {
				if err := tx.SetDisabled(u.ID, 0, true); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// pagesInUse is the size of the pages bbolt declares in use: the part of
// the file where damage matters (the rest is room to grow).
func pagesInUse(t *testing.T, path string) int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// previousState is what a child reports for the file as it was before its
// last change set: what bbolt opens when the newer meta page is bad.
func previousState(t *testing.T, good []byte) map[string]string {
	t.Helper()
	b := bytes.Clone(good)
	// the meta page with the higher txid is the newer: spoil its checksum
	// (bbolt's layout, in the machine's byte order: see store/filecheck.go)
	order := binary.NativeEndian
	pageSize := int(order.Uint32(b[16+8:]))
	newer := 16
	if order.Uint64(b[pageSize+16+48:]) > order.Uint64(b[16+48:]) {
		newer = pageSize + 16
	}
	b[newer+48] ^= 0xFF
	path := filepath.Join(t.TempDir(), "previous.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runDamageChild(t, path)
	if r.crashed != "" || !strings.HasPrefix(r.lines["verify"], "ok") {
		t.Fatalf("the database before its last change set: %v %v", r.crashed, r.lines)
	}
	return r.lines
}
