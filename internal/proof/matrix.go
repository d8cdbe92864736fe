package proof

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/store"
)

// Layer runs matrix cases through one way in: the store, the CLI, SSH exec.
type Layer interface {
	// Start begins on a fresh copy of the world (dir holds its files).
	Start(s *store.Store, dir string) error
	// Prepare readies the actor before the state is read (signs them in).
	Prepare(actorEmail string) error
	// Run tries one case as the actor; ok is the layer's own verdict
	// (no error, exit 0), detail what it said. skip: the layer has no way
	// to run this case.
	Run(actorEmail string, c Case) (ok bool, detail string, skip bool)
	// Stop ends what Start began (the store is closed by the matrix).
	Stop()
}

// Outcome is one case tried.
type Outcome struct {
	Actor, Profile string
	Case           Case
	Allowed        bool
	Changed        bool
	Detail         string
	Violations     []string
}

// Result is one layer's run of the matrix.
type Result struct {
	Layer    string
	Outcomes []Outcome
}

// Tried counts the cases run.
func (r *Result) Tried() int { return len(r.Outcomes) }

// Escalations are the outcomes the oracle refused.
func (r *Result) Escalations() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if len(o.Violations) > 0 {
			out = append(out, o)
		}
	}
	return out
}

// Allowed counts the cases the layer let through.
func (r *Result) Allowed() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Allowed {
			n++
		}
	}
	return n
}

// Find returns the outcome of a case by actor, command and target.
func (r *Result) Find(actor, command, target string) (Outcome, bool) {
	for _, o := range r.Outcomes {
		if o.Actor == actor && o.Case.Command == command && o.Case.Target == target {
			return o, true
		}
	}
	return Outcome{}, false
}

// MustAllow returns a complaint when a case the rules allow was refused (or
// not tried though its actor was): a matrix refusing everything proves
// nothing. Actors left out of this run are not complained about.
func (r *Result) MustAllow(actor, command, target string) string {
	ran := false
	for _, o := range r.Outcomes {
		if o.Actor == actor {
			ran = true
			if o.Case.Command == command && o.Case.Target == target {
				if o.Allowed {
					return ""
				}
				return fmt.Sprintf("%s by %s should be allowed, was refused: %s", o.Case, actor, o.Detail)
			}
		}
	}
	if !ran {
		return ""
	}
	return fmt.Sprintf("%s %s [%s] by %s was not tried", command, target, actor, actor)
}

// Summary is the figure: cases tried, allowed, refused, escalations.
func (r *Result) Summary() string {
	byKind := map[string][2]int{}
	for _, o := range r.Outcomes {
		v := byKind[o.Case.Kind]
		v[0]++
		if o.Allowed {
			v[1]++
		}
		byKind[o.Case.Kind] = v
	}
	var kinds []string
	for k, v := range byKind {
		kinds = append(kinds, fmt.Sprintf("%s %d (%d allowed)", k, v[0], v[1]))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("%s: %d cases tried (%s), %d allowed, %d refused; escalations found: %d (must be 0)",
		r.Layer, r.Tried(), strings.Join(kinds, ", "), r.Allowed(), r.Tried()-r.Allowed(), len(r.Escalations()))
}

// PerActor is a table: actor, profile, tried, allowed.
func (r *Result) PerActor() string {
	type row struct{ tried, allowed int }
	rows := map[string]*row{}
	var order []string
	for _, o := range r.Outcomes {
		k := o.Actor + " (" + o.Profile + ")"
		if rows[k] == nil {
			rows[k] = &row{}
			order = append(order, k)
		}
		rows[k].tried++
		if o.Allowed {
			rows[k].allowed++
		}
	}
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "  %-48s %4d tried %4d allowed\n", k, rows[k].tried, rows[k].allowed)
	}
	return b.String()
}

// RunMatrix runs every case for every actor through the layer. A case that
// changed anything is followed by a fresh copy of the world, so each case
// starts from the same state.
func RunMatrix(w *World, name string, layer Layer, actors []string) (*Result, error) {
	res := &Result{Layer: name}
	var s *store.Store
	var dir string
	start := func() error {
		var err error
		if s, dir, err = w.Fresh(); err != nil {
			return err
		}
		return layer.Start(s, dir)
	}
	var chainErr error
	stop := func() {
		layer.Stop()
		// every world ends with its audit chain intact
		if v, err := s.VerifyAudit(); (err != nil || !v.OK) && chainErr == nil {
			chainErr = fmt.Errorf("audit chain after %d cases: %v %v", len(res.Outcomes), err, v.Problems)
		}
		s.Close()
	}
	if err := start(); err != nil {
		return nil, err
	}
	defer func() {
		if s != nil {
			stop()
		}
	}()
	profiles := map[string]string{}
	for _, a := range Actors {
		profiles[a.Email] = a.Profile
	}
	cases := Cases(w)
	for _, email := range actors {
		for _, c0 := range cases {
			c := c0.Expand(dir)
			me, err := s.User(email)
			if err != nil {
				return nil, err
			}
			if err := layer.Prepare(email); err != nil {
				return nil, fmt.Errorf("%s: %w", email, err)
			}
			before, err := Take(s, c.Files...)
			if err != nil {
				return nil, fmt.Errorf("%s: before: %w", c, err)
			}
			ok, detail, skip := layer.Run(email, c)
			if skip {
				continue
			}
			after, err := Take(s, c.Files...)
			if err != nil {
				return nil, fmt.Errorf("%s by %s: after: %w", c, email, err)
			}
			o := Outcome{Actor: email, Profile: profiles[email], Case: c, Allowed: ok, Detail: detail,
				Changed: Changed(before, after), Violations: Judge(s, before, after, me.ID)}
			if !ok && o.Changed {
				o.Violations = append(o.Violations, "refused ("+detail+"), yet the state changed")
			}
			res.Outcomes = append(res.Outcomes, o)
			if o.Changed {
				stop()
				if err := start(); err != nil {
					return nil, err
				}
			}
		}
	}
	stop()
	s = nil
	return res, chainErr
}

// ActorEmails lists the matrix actors: all of them in the long campaign; in
// the short one the administrator and the User profile are left out (the
// administrator's cases mostly succeed, and each success costs a fresh
// world; User is refused exactly as Basic and Supervisor are).
func ActorEmails() []string {
	var out []string
	for _, a := range Actors {
		if !Long() && (a.Profile == "Administrator" || a.Profile == "User") {
			continue
		}
		out = append(out, a.Email)
	}
	return out
}
