package cmd_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// The escalation matrix through the command line: the command tree run in
// process with --as EMAIL, as `gatehouse --as EMAIL ...` runs it, judged by
// the same oracle as the store and SSH layers.
type cliLayer struct{ s *store.Store }

func (l *cliLayer) Start(s *store.Store, dir string) error { l.s = s; return nil }
func (l *cliLayer) Stop()                                  {}
func (l *cliLayer) Prepare(string) error                   { return nil }

func (l *cliLayer) Run(email string, c proof.Case) (bool, string, bool) {
	if c.Args == nil {
		return false, "", true // a job of the store only (no command does it)
	}
	var out, errb bytes.Buffer
	env := cmd.Env{Store: l.s, In: strings.NewReader(c.Stdin), Out: &out, Err: &errb}
	code := cmd.Run(env, append([]string{"--as", email}, c.Args...))
	return code == 0, strings.TrimSpace(errb.String()), false
}

func TestEscalationMatrixCLI(t *testing.T) {
	t.Parallel()
	w, err := proof.BuildWorld(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res, err := proof.RunMatrix(w, "CLI --as", &cliLayer{}, proof.ActorEmails())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("per actor:\n%s", res.PerActor())
	for _, o := range res.Escalations() {
		t.Errorf("ESCALATION: %s by %s (%s): %v", o.Case, o.Actor, o.Profile, o.Violations)
	}
	for _, want := range []struct{ actor, command, target string }{
		{"manager@example.com", "users edit --first", proof.TIn},
		{"manager@example.com", "users disable", proof.TIn},
		{"admin@example.com", "users disable", proof.TOut},
		{"admin@example.com", "backup", "a copy of everything"},
		{"hr@example.com", "users disable", proof.TOut},
		{"hr@example.com", "profiles grant", proof.ProfileAllSites + " leave=view (down or own)"},
		{"hr@example.com", "users edit (client boundary)", "Zeta contact → Acme"},
		{"manager@example.com", "users edit --default-site (where)", proof.TInClient + " → " + proof.SiteIn},
	} {
		if msg := res.MustAllow(want.actor, want.command, want.target); msg != "" {
			t.Error(msg)
		}
	}
	proof.Figure(t, "escalation", "%s", res.Summary())
}
