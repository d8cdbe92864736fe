package store

import (
	"strings"
	"testing"
	"time"
)

func addInvited(f *fx, first, email string) {
	f.t.Helper()
	f.apply("add "+email, func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: first, Last: "Person", Email: email, Type: Employee, Profile: "Basic"})
		return err
	})
}

func messageTo(t *testing.T, s *Store, email string) Message {
	t.Helper()
	msgs, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == email {
			return m
		}
	}
	t.Fatalf("no message to %s in %+v", email, msgs)
	return Message{}
}

func pendingTo(t *testing.T, s *Store, now time.Time) []string {
	t.Helper()
	ms, err := s.PendingMessages(now)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	return out
}

// A message queued before delivery ever ran (no index yet) and one queued
// after are both found; attempts, errors and states are kept; nothing of it
// is an audited change set or a change event.
func TestOutboxDelivery(t *testing.T) {
	f := openStore(t)
	addInvited(f, "Early", "early@example.com")
	now := f.clock.Now()
	if got := pendingTo(t, f.s, now); strings.Join(got, ",") != "early@example.com" {
		t.Fatalf("pending before the index existed: %v", got)
	}
	addInvited(f, "Late", "late@example.com")
	if got := pendingTo(t, f.s, now); strings.Join(got, ",") != "early@example.com,late@example.com" {
		t.Fatalf("pending, oldest first: %v", got)
	}
	if n, err := f.s.QueuedMessages(); err != nil || n != 2 {
		t.Fatalf("queued: %d %v", n, err)
	}
	if at, ok, err := f.s.NextMessageDue(); err != nil || !ok || !at.Equal(now) {
		t.Fatalf("next due: %v %v %v", at, ok, err)
	}

	audit := f.auditLen()
	events, stop := f.s.Subscribe()
	defer stop()

	early := messageTo(t, f.s, "early@example.com")
	retry := now.Add(2 * time.Second)
	if err := f.s.MarkFailed(early.ID, "451 4.3.0 try\nagain later", retry); err != nil {
		t.Fatal(err)
	}
	m := messageTo(t, f.s, "early@example.com")
	if m.State != MessageQueued || m.Attempts != 1 || m.LastError != "451 4.3.0 try again later" || !m.NextAttempt.Equal(retry) {
		t.Fatalf("after a failed attempt: %+v", m)
	}
	if got := pendingTo(t, f.s, now); strings.Join(got, ",") != "late@example.com" {
		t.Fatalf("a message waiting for its retry is pending: %v", got)
	}
	if at, _, _ := f.s.NextMessageDue(); !at.Equal(now) {
		t.Fatalf("next due %v", at)
	}
	late := messageTo(t, f.s, "late@example.com")
	if err := f.s.MarkSent(late.ID); err != nil {
		t.Fatal(err)
	}
	if at, ok, _ := f.s.NextMessageDue(); !ok || !at.Equal(retry) {
		t.Fatalf("next due after the send: %v %v", at, ok)
	}
	if got := pendingTo(t, f.s, retry); strings.Join(got, ",") != "early@example.com" {
		t.Fatalf("due at the retry: %v", got)
	}
	m = messageTo(t, f.s, "late@example.com")
	if m.State != MessageSent || m.Attempts != 1 || m.LastError != "" {
		t.Fatalf("sent: %+v", m)
	}
	if err := f.s.MarkFailed(early.ID, "554 5.7.1 rejected", time.Time{}); err != nil {
		t.Fatal(err)
	}
	m = messageTo(t, f.s, "early@example.com")
	if m.State != MessageFailed || m.Attempts != 2 || m.LastError != "554 5.7.1 rejected" || !m.NextAttempt.IsZero() {
		t.Fatalf("failed for good: %+v", m)
	}
	if got := pendingTo(t, f.s, retry.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("pending after everything was sent or failed: %v", got)
	}
	if _, ok, _ := f.s.NextMessageDue(); ok {
		t.Fatal("something is due")
	}
	if n, _ := f.s.QueuedMessages(); n != 0 {
		t.Fatalf("%d queued after everything was sent or failed", n)
	}
	// a message that is not queued cannot be marked again
	checkErr(t, f.s.MarkSent(early.ID), ErrRefused)
	checkErr(t, f.s.MarkSent(late.ID), ErrRefused)
	checkErr(t, f.s.MarkFailed(999, "x", time.Time{}), ErrNotFound)

	if n := f.auditLen(); n != audit {
		t.Fatalf("delivery wrote %d audit entries", n-audit)
	}
	f.publishedNothing(t, events, "delivery")

	// the index survives a reopen, and a password notice joins it
	f.reopen()
	f.apply("password", func(tx *Tx) error {
		return tx.SetPassword(f.user("early@example.com").ID, 0, "a long enough password")
	})
	if got := pendingTo(t, f.s, f.clock.Now()); strings.Join(got, ",") != "early@example.com" {
		t.Fatalf("the password notice is not pending: %v", got)
	}
	if ms, _ := f.s.PendingMessages(f.clock.Now()); ms[0].Kind != "password-changed" {
		t.Fatalf("pending %+v", ms)
	}
}

// A change set that is rolled back (a dry run, or a refused one) leaves no
// message in the index.
func TestOutboxIndexFollowsRollback(t *testing.T) {
	f := openStore(t)
	if _, err := f.s.PendingMessages(f.clock.Now()); err != nil { // build the index
		t.Fatal(err)
	}
	if _, err := f.s.Preview(f.local, "dry", func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: "Dry", Last: "Run", Email: "dry@example.com", Type: Employee, Profile: "Basic"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := pendingTo(t, f.s, f.clock.Now().Add(time.Hour)); len(got) != 0 {
		t.Fatalf("a dry run queued %v", got)
	}
}
