package cmd_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
)

// The 100,000-user demo database of the issue, built once per process.
var (
	bench100kOnce sync.Once
	bench100kPath string
	bench100kErr  error
)

func bench100k(b *testing.B) string {
	b.Helper()
	bench100kOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gatehouse-cmd-bench-")
		if err != nil {
			bench100kErr = err
			return
		}
		bench100kPath = filepath.Join(dir, "demo100k.db")
		s, err := store.Open(bench100kPath, store.Options{NoSync: true})
		if err != nil {
			bench100kErr = err
			return
		}
		_, bench100kErr = s.Demo(store.LocalActor("bench"), store.DemoOptions{Users: 100_000})
		if err := s.Close(); bench100kErr == nil {
			bench100kErr = err
		}
	})
	if bench100kErr != nil {
		b.Fatal(bench100kErr)
	}
	return bench100kPath
}

// BenchmarkCompleteEmailPrefix completes an email prefix at 100,000 users
// through the whole command tree, in process, as the SSH server runs it
// (the store already open): a tree built, the line parsed, the users
// walked, the answer printed. "all" is a Tab with nothing typed: every
// user matches, the first 200 by email are offered.
func BenchmarkCompleteEmailPrefix(b *testing.B) {
	s, err := store.Open(bench100k(b), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	local := store.LocalActor("bench")
	var manager store.Actor
	n := s.Names()
	for _, u := range mustUsers(b, s) {
		if n.Profile(u.ProfileID) == "Manager" && len(u.SiteIDs) > 0 && !u.Disabled {
			if manager, err = s.ActorFor(u.Email); err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	for _, c := range []struct {
		name   string
		actor  store.Actor
		prefix string
		remote bool
	}{
		{"operator/prefix", local, "ava.ga", false},
		{"operator/all", local, "", false},
		{"manager-over-ssh/prefix", manager, "ava.ga", true},
		{"manager-over-ssh/all", manager, "", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			var out bytes.Buffer
			args := []string{"__complete", "users", "show", c.prefix}
			run := func() int {
				out.Reset()
				env := cmd.Env{Store: s, Actor: &c.actor, Out: &out, Err: io.Discard}
				if c.remote {
					return cmd.RunRemote(env, args)
				}
				return cmd.Run(env, args)
			}
			if run() != 0 || !strings.HasSuffix(out.String(), ":4\n") || strings.Count(out.String(), "@") == 0 {
				b.Fatalf("completion: %q", out.String())
			}
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
		})
	}
}

func mustUsers(b *testing.B, s *store.Store) []*store.User {
	b.Helper()
	us, err := s.Users(store.UserFilter{})
	if err != nil {
		b.Fatal(err)
	}
	return us
}

// BenchmarkCompleteEmailLocally is the local operator's Tab as a shell runs
// it, but for the process start: the command tree, the file opened
// read-only and its emails index seeked (store.PeekEmails), never the store
// loaded. The 100 ms target of a Tab at 100k users is this plus starting
// the binary.
func BenchmarkCompleteEmailLocally(b *testing.B) {
	path := bench100k(b)
	for _, c := range []struct{ name, prefix string }{{"prefix", "ava.ga"}, {"all", ""}} {
		b.Run(c.name, func(b *testing.B) {
			var out bytes.Buffer
			args := []string{"__complete", "--db", path, "users", "show", c.prefix}
			run := func() int {
				out.Reset()
				return cmd.Run(cmd.Env{Out: &out, Err: io.Discard}, args)
			}
			if run() != 0 || !strings.HasSuffix(out.String(), ":4\n") || strings.Count(out.String(), "@") == 0 {
				b.Fatalf("completion: %q", out.String())
			}
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
		})
	}
}
