package ui

import (
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
)

// Job runs one kind of store read off the Update goroutine, one at a time;
// the newest request wins. Its answer lands in an atomic slot, so the message
// the command returns only wakes the view: the App need not route it.
// Requests and answer are made and read on the Update goroutine; run must
// touch nothing but its key and the store.
type Job[K comparable, R any] struct {
	Run  func(K) R
	seq  uint64 // requests made
	Want K
	busy atomic.Bool
	slot atomic.Pointer[JobAnswer[K, R]]
}

// JobAnswer is an answer with the request it answers.
type JobAnswer[K comparable, R any] struct {
	Seq uint64
	Key K
	Val R
}

// JobDoneMsg wakes the view after a background read.
type JobDoneMsg struct{}

// Request asks for k (nothing new if k is already wanted).
func (j *Job[K, R]) Request(k K) {
	if j.seq > 0 && k == j.Want {
		return
	}
	j.seq++
	j.Want = k
}

// Answer is the newest answer, whether there is one, and whether it answers
// what is wanted now.
func (j *Job[K, R]) Answer() (R, bool, bool) {
	r := j.slot.Load()
	if r == nil {
		var zero R
		return zero, false, false
	}
	return r.Val, true, r.Key == j.Want
}

// Last is the newest answer, with the request it answers.
func (j *Job[K, R]) Last() *JobAnswer[K, R] { return j.slot.Load() }

func (j *Job[K, R]) Running() bool { return j.busy.Load() }

// keep stores an answer unless a newer request's answer is already there.
func (j *Job[K, R]) keep(a *JobAnswer[K, R]) {
	for {
		old := j.slot.Load()
		if old != nil && old.Seq >= a.Seq {
			return
		}
		if j.slot.CompareAndSwap(old, a) {
			return
		}
	}
}

// Now answers the newest request on the spot (small reads).
func (j *Job[K, R]) Now() {
	if j.seq == 0 {
		return
	}
	j.keep(&JobAnswer[K, R]{Seq: j.seq, Key: j.Want, Val: j.Run(j.Want)})
}

// Cmd starts the newest request unless it is answered or a read is running.
func (j *Job[K, R]) Cmd() tea.Cmd {
	if j.seq == 0 {
		return nil
	}
	if r := j.slot.Load(); r != nil && r.Key == j.Want {
		return nil
	}
	if !j.busy.CompareAndSwap(false, true) {
		return nil
	}
	seq, k := j.seq, j.Want
	return func() tea.Msg {
		defer j.busy.Store(false)
		j.keep(&JobAnswer[K, R]{Seq: seq, Key: k, Val: j.Run(k)})
		return JobDoneMsg{}
	}
}
