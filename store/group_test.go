package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// grouped applies each fn with ApplyGrouped at once, all of them waiting
// together while the test holds the write lock, so that they are written as
// one group (as many arriving while another change set is being written
// are); it returns each one's change set and error, in fns' order.
func grouped(t *testing.T, f *fx, actors []Actor, fns ...func(*Tx) error) ([]*ChangeSet, []error) {
	return groupedThen(t, f, actors, nil, fns...)
}

// groupedThen is grouped, calling waiting (if set) once they all wait.
func groupedThen(t *testing.T, f *fx, actors []Actor, waiting func(), fns ...func(*Tx) error) ([]*ChangeSet, []error) {
	t.Helper()
	skipOnEtcd(t, "a group is one bbolt transaction; on etcd each change set commits alone (ApplyGrouped is Apply)")
	css, errs := make([]*ChangeSet, len(fns)), make([]error, len(fns))
	panics := make([]any, len(fns))
	f.s.wmu.Lock()
	var wg sync.WaitGroup
	for i, fn := range fns {
		actor := f.local
		if actors != nil {
			actor = actors[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			css[i], errs[i] = f.s.ApplyGrouped(actor, fmt.Sprintf("grouped %d", i), fn)
		}()
		// one at a time, so that they wait in fns' order
		for {
			f.s.grp.mu.Lock()
			n := len(f.s.grp.pending)
			f.s.grp.mu.Unlock()
			if n == i+1 {
				break
			}
			runtime.Gosched()
		}
	}
	if waiting != nil {
		waiting()
	}
	f.s.wmu.Unlock()
	wg.Wait()
	for i, p := range panics {
		if p != nil {
			errs[i] = fmt.Errorf("panicked: %v", p)
		}
	}
	return css, errs
}

func editFirst(f *fx, email, first string, version uint64) func(*Tx) error {
	return func(tx *Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		_, err = tx.EditUser(u.ID, version, UserPatch{First: &first})
		return err
	}
}

func verified(t *testing.T, f *fx) {
	t.Helper()
	r, err := f.s.VerifyAudit()
	if err != nil || !r.OK {
		t.Fatalf("audit: %v %v", err, r.Problems)
	}
}

// Change sets applied at once are written in one transaction, each its own
// change set: its own batch, in order, its own audit entries and event, and
// readers see them once written.
func TestGroupedChangeSetsAreEachTheirOwn(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "grp", 8)
	events, stop := f.s.Subscribe()
	defer stop()
	before := f.s.grp.commits.Load()
	var fns []func(*Tx) error
	for i, u := range users {
		fns = append(fns, editFirst(f, u.Email, fmt.Sprintf("Group%d", i), 0))
	}
	css, errs := grouped(t, f, nil, fns...)
	if got := f.s.grp.commits.Load() - before; got != 1 {
		t.Fatalf("%d group transactions, want 1", got)
	}
	for i, cs := range css {
		if errs[i] != nil {
			t.Fatalf("change set %d: %v", i, errs[i])
		}
		if i > 0 && cs.Batch != css[i-1].Batch+1 {
			t.Errorf("change set %d is batch %d, after %d", i, cs.Batch, css[i-1].Batch)
		}
		if cs.Summary != fmt.Sprintf("grouped %d", i) || len(cs.Entries) != 1 || cs.Entries[0].Batch != cs.Batch || cs.Entries[0].Entity.Label != users[i].Email {
			t.Errorf("change set %d: %+v", i, cs)
		}
		if got := f.user(users[i].Email).First; got != fmt.Sprintf("Group%d", i) {
			t.Errorf("%s is named %s", users[i].Email, got)
		}
		es, err := f.s.AuditLog(AuditFilter{Batch: cs.Batch})
		if err != nil || len(es) != 1 || es[0].Entity.Label != users[i].Email || es[0].After != fmt.Sprintf("Group%d", i) {
			t.Errorf("batch %d's entries: %+v %v", cs.Batch, es, err)
		}
	}
	bs, err := f.s.Batches(len(css))
	if err != nil || len(bs) != len(css) {
		t.Fatalf("batches: %v %v", bs, err)
	}
	for _, b := range bs {
		i := int(b.ID - css[0].Batch)
		if i < 0 || i >= len(css) || b.Summary != css[i].Summary || b.FirstSeq != b.LastSeq {
			t.Errorf("batch %+v", b)
		}
	}
	for i := range css {
		e := <-events
		if e.Batch != css[i].Batch || e.Summary != css[i].Summary || !slices.ContainsFunc(e.Refs, func(r Ref) bool { return r.Label == users[i].Email }) {
			t.Errorf("event %d: %+v, want change set %d", i, e, css[i].Batch)
		}
	}
	if f.s.LastBatch() != css[len(css)-1].Batch {
		t.Errorf("the store is at batch %d, want %d", f.s.LastBatch(), css[len(css)-1].Batch)
	}
	verified(t, f)
	f.reopen()
	for i, u := range users {
		if got := f.user(u.Email).First; got != fmt.Sprintf("Group%d", i) {
			t.Errorf("after reopening, %s is named %s", u.Email, got)
		}
	}
	verified(t, f)
}

// No lost edit: two edits of one user from the same version conflict in a
// group as they do one after the other; one of a version the group's
// earlier change set made goes through.
func TestGroupedEditsConflictAsOneAfterTheOther(t *testing.T) {
	f := newFixture(t)
	u := f.user(emUser)
	v := u.Version
	css, errs := grouped(t, f, nil,
		editFirst(f, emUser, "First", v),
		editFirst(f, emUser, "Second", v),
		editFirst(f, emUser, "Third", v+1),
	)
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("the first and third: %v, %v", errs[0], errs[2])
	}
	var ce *ConflictError
	if !errors.As(errs[1], &ce) || css[1] != nil {
		t.Fatalf("the second, from the same version as the first: %v (%v), want a conflict", errs[1], css[1])
	}
	if got := f.user(emUser); got.First != "Third" || got.Version != v+2 {
		t.Errorf("the user is %s at version %d, want Third at %d", got.First, got.Version, v+2)
	}
	verified(t, f)

	// profiles too
	p, err := f.s.Profile("User")
	if err != nil {
		t.Fatal(err)
	}
	grant := func(l Level) func(*Tx) error {
		return func(tx *Tx) error { return tx.Grant("User", p.Version, "reports", l) }
	}
	_, errs = grouped(t, f, nil, grant(View), grant(Maintain))
	if errs[0] != nil || !errors.As(errs[1], &ce) {
		t.Fatalf("two grants from one version: %v, %v; want the second to conflict", errs[0], errs[1])
	}
	verified(t, f)
}

// One that fails in a group fails alone with its own error, once; the
// others are written; so is one after it.
func TestGroupedFailureIsItsOwn(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "fail", 4)
	runs := make([]int, 4)
	audit := f.auditLen()
	counted := func(i int, fn func(*Tx) error) func(*Tx) error {
		return func(tx *Tx) error { runs[i]++; return fn(tx) }
	}
	css, errs := grouped(t, f, nil,
		counted(0, editFirst(f, users[0].Email, "Ok0", 0)),
		counted(1, editFirst(f, "nobody@example.com", "X", 0)),
		counted(2, editFirst(f, users[2].Email, "Ok2", 0)),
		counted(3, editFirst(f, users[3].Email, "Ok3", 0)),
	)
	if KindOf(errs[1]) != KindNotFound || css[1] != nil {
		t.Errorf("the failing one: %v, %v", css[1], errs[1])
	}
	for _, i := range []int{0, 2, 3} {
		if errs[i] != nil {
			t.Errorf("change set %d: %v", i, errs[i])
		}
		if want := fmt.Sprintf("Ok%d", i); f.user(users[i].Email).First != want {
			t.Errorf("%s is not %s", users[i].Email, want)
		}
	}
	// the one before the failure ran in the group that failed and in its
	// own; the failing one in the group and alone; those after it once
	if runs[1] != 2 || runs[2] != 1 || runs[3] != 1 {
		t.Errorf("runs %v", runs)
	}
	// nothing of the transactions undone is left: the three change sets
	// are the last three, an entry each, and there is nothing else
	last := f.s.LastBatch()
	got := []uint64{css[0].Batch, css[2].Batch, css[3].Batch}
	slices.Sort(got)
	if !slices.Equal(got, []uint64{last - 2, last - 1, last}) {
		t.Errorf("the change sets are %v; the last is %d", got, last)
	}
	if n := f.auditLen(); n != audit+3 {
		t.Errorf("the audit has %d entries, %d before", n, audit)
	}
	verified(t, f)
}

// What one change set of a group does, the next one sees: a user one adds
// the next may edit; an actor the first disables can no longer act; a name
// the first gives reads like the one the next tries.
func TestGroupedChangeSetsSeeTheOnesBefore(t *testing.T) {
	f := newFixture(t)
	manager := f.actor(emManager)
	css, errs := grouped(t, f, []Actor{f.local, f.local, f.local, manager},
		func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "Nora", Last: "Added", Email: "nora@example.com", Type: Employee, Profile: "User", Sites: []string{"North Depot"}})
			return err
		},
		editFirst(f, "nora@example.com", "Norah", 0),
		func(tx *Tx) error { return tx.SetDisabled(f.user(emManager).ID, 0, true) },
		editFirst(f, emBasic, "ByManager", 0),
	)
	if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatalf("%v", errs)
	}
	if KindOf(errs[3]) != KindDenied || css[3] != nil {
		t.Errorf("an edit by the manager the group disabled before it: %v, want denied", errs[3])
	}
	if f.user("nora@example.com").First != "Norah" || f.user(emBasic).First == "ByManager" {
		t.Errorf("nora %s, basic %s", f.user("nora@example.com").First, f.user(emBasic).First)
	}
	email := func(of, to string) func(*Tx) error {
		return func(tx *Tx) error {
			u, err := tx.UserByEmail(of)
			if err != nil {
				return err
			}
			_, err = tx.EditUser(u.ID, 0, UserPatch{Email: &to})
			return err
		}
	}
	_, errs = grouped(t, f, nil,
		email(emUser, "wilhelmina@example.com"),
		email(emBasic, "wilhelrnina@example.com"), // reads like the first, spelled differently
	)
	if errs[0] != nil || KindOf(errs[1]) != KindRefused || !strings.Contains(errs[1].Error(), "reads like") {
		t.Errorf("a lookalike of an email the group gave: %v, %v", errs[0], errs[1])
	}
	verified(t, f)
}

// A change set that panics in a group panics in its own caller's goroutine
// (as Apply does), and the others are written; one whose caller has gone
// writes nothing; one that changes nothing says so, as Apply does.
func TestGroupedPanicGoneAndNothing(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "odd", 3)
	ctx, cancel := context.WithCancel(context.Background())
	gone := f.local.WithContext(ctx)
	// its caller goes away while it waits to be written
	css, errs := groupedThen(t, f, []Actor{f.local, f.local, gone, f.local}, cancel,
		editFirst(f, users[0].Email, "Fine", 0),
		func(tx *Tx) error { panic("boom") },
		editFirst(f, users[1].Email, "Gone", 0),
		func(tx *Tx) error { return nil }, // changes nothing
	)
	if errs[0] != nil || f.user(users[0].Email).First != "Fine" {
		t.Errorf("the first: %v", errs[0])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "panicked: boom") {
		t.Errorf("the panicking one: %v", errs[1])
	}
	if KindOf(errs[2]) != KindRefused || f.user(users[1].Email).First == "Gone" {
		t.Errorf("the one whose caller had gone: %v", errs[2])
	}
	if errs[3] != nil || css[3] == nil || css[3].Batch != 0 {
		t.Errorf("the one that changes nothing: %+v, %v", css[3], errs[3])
	}
	verified(t, f)
}

// Many at once, from many goroutines, none of them held back: every edit is
// there, every change set whole, the chain intact (with -race: no state
// shared between them unguarded).
func TestGroupedManyAtOnce(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "many", 20)
	var wg sync.WaitGroup
	errs := make([]error, 3*len(users))
	for round := range 3 {
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[round*len(users)+i] = f.s.ApplyGrouped(f.local, "many", editFirst(f, u.Email, fmt.Sprintf("R%dx%d", round, i), 0))
			}()
		}
		wg.Wait()
		for i, u := range users {
			if err := errs[round*len(users)+i]; err != nil {
				t.Fatalf("round %d, %s: %v", round, u.Email, err)
			}
			if got, want := f.user(u.Email).First, fmt.Sprintf("R%dx%d", round, i); got != want {
				t.Errorf("round %d: %s is %s, want %s", round, u.Email, got, want)
			}
		}
	}
	verified(t, f)
}
