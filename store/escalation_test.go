package store_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// The escalation matrix through the store: every actor × every mutating
// operation as tx methods (or store methods taking the actor), judged by
// proof.Judge, an oracle written apart from the store's checks.
type storeLayer struct{ s *store.Store }

func (l *storeLayer) Start(s *store.Store, dir string) error { l.s = s; return nil }
func (l *storeLayer) Stop()                                  {}
func (l *storeLayer) Prepare(string) error                   { return nil }

func (l *storeLayer) Run(email string, c proof.Case) (bool, string, bool) {
	a, err := l.s.ActorFor(email)
	if err != nil {
		return false, err.Error(), false
	}
	switch {
	case c.Tx != nil:
		_, err = l.s.Apply(a, c.Command, c.Tx)
	case c.Store != nil:
		err = c.Store(l.s, a)
	default:
		return false, "", true // a job of the command line only (backup, demo)
	}
	if err != nil {
		return false, err.Error(), false
	}
	return true, "", false
}

func TestEscalationMatrixStore(t *testing.T) {
	w, err := proof.BuildWorld(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	res, err := proof.RunMatrix(w, "store", &storeLayer{}, proof.ActorEmails())
	if err != nil {
		t.Fatal(err)
	}
	reportMatrix(t, res)
}

func reportMatrix(t *testing.T, res *proof.Result) {
	t.Helper()
	t.Logf("per actor:\n%s", res.PerActor())
	for _, o := range res.Escalations() {
		t.Errorf("ESCALATION: %s by %s (%s): %v", o.Case, o.Actor, o.Profile, o.Violations)
	}
	// the matrix proves nothing if it refuses everything: what the rules
	// allow must go through
	for _, want := range []struct{ actor, command, target string }{
		{"manager@example.com", "users edit --first", proof.TIn},
		{"manager@example.com", "users disable", proof.TIn},
		{"manager@example.com", "sites assign --team", proof.TIn},
		{"admin@example.com", "users disable", proof.TOut},
		{"admin@example.com", "users set-password", proof.TAdmin2},
		{"hr@example.com", "users disable", proof.TOut},
		{"hr@example.com", "profiles grant", proof.ProfileAllSites + " leave=view (down or own)"},
		{"hr@example.com", "users edit (client boundary)", "Zeta contact → Acme"},
		{"manager@example.com", "users edit --default-site (where)", proof.TInClient + " → " + proof.SiteIn},
		{"hr@example.com", "accept another's invitation (token from the outbox)", proof.TNoSite},
	} {
		if msg := res.MustAllow(want.actor, want.command, want.target); msg != "" {
			t.Error(msg)
		}
	}
	proof.Figure(t, "escalation", "%s", res.Summary())
}
