package store

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// What an access review reads of the audit log: for every user and every
// field that grants something (profile, sites, teams, clients, default
// site, features, status, created), the newest entry; for every profile
// and screen, the newest change of its level; and, for a review of what
// changed since a time, the value each had before the first change since.
// The log is read once, newest first, and of each entry only its head
// (change set, entity, field), read in place (scanEntryHead): the time
// and the actor are the change set's, the same for every entry of it, so
// they are read once per change set.

// User fields a review reports, by slot.
const (
	slotCreated = iota
	slotStatus
	slotProfile
	slotSites
	slotTeams
	slotClients
	slotDefault
	slotFeature // + Feature
	numSlots    = slotFeature + int(numFeatures)
)

// userSlot is the slot of an audit field of a user, -1 for none.
func userSlot(field []byte) int {
	switch string(field) {
	case "created":
		return slotCreated
	case "status":
		return slotStatus
	case "profile", "type":
		return slotProfile
	case "sites":
		return slotSites
	case "teams":
		return slotTeams
	case "clients", "client":
		return slotClients
	case "default site":
		return slotDefault
	}
	if g, ok := bytes.CutPrefix(field, []byte("until ")); ok { // a grant's end: "until site North Depot"
		kind, _, _ := bytes.Cut(g, []byte(" "))
		switch string(kind) {
		case "site":
			return slotSites
		case "team":
			return slotTeams
		case "client":
			return slotClients
		case "profile":
			return slotProfile
		}
		return -1
	}
	if f, ok := bytes.CutPrefix(field, []byte("feature ")); ok {
		for i, k := range featureKeys {
			if string(f) == k {
				return slotFeature + i
			}
		}
	}
	return -1
}

// endKey is one of a user's grants that end, as its audit field names it
// after "until ": "site North Depot".
type endKey struct {
	user  uint64
	grant string
}

// stamp is when and by whom something was last changed.
type stamp struct {
	At    time.Time
	Batch uint64 // 0: not from the audit log (a record's own creation time)
	By    string
}

// reviewIndex is the audit log as a review reads it.
type reviewIndex struct {
	batches []stamp                 // every change set met, by ref-1
	users   [][numSlots]uint32      // user id → slot → ref of the newest entry (0: none)
	profile map[profileField]uint32 // (profile id, field) → ref of the newest entry
	before  map[fieldKey]string     // with since: the value before the first change since
	ends    map[endKey]string       // with since: a grant's end before the first change of it since ("": none)
	deleted []AuditEntry            // with since: users deleted since
	since   time.Time
}

type profileField struct {
	id    uint64
	field string // a screen key, "scope" or "created"
}

// fieldKey is a user's slot, or (user id 0) a profile's field.
type fieldKey struct {
	user uint64
	slot int
	profileField
}

func (x *reviewIndex) stamp(ref uint32) (stamp, bool) {
	if ref == 0 {
		return stamp{}, false
	}
	return x.batches[ref-1], true
}

func (x *reviewIndex) userStamp(id uint64, slot int) (stamp, bool) {
	if id >= uint64(len(x.users)) {
		return stamp{}, false
	}
	return x.stamp(x.users[id][slot])
}

func (x *reviewIndex) profileStamp(id uint64, field string) (stamp, bool) {
	return x.stamp(x.profile[profileField{id, field}])
}

// readReviewIndex reads the audit log up to change set asOf (what the
// users and the catalog in hand reflect) for users with ids below nUsers.
func readReviewIndex(tx rtx, asOf uint64, nUsers int, since time.Time) (*reviewIndex, error) {
	x := &reviewIndex{users: make([][numSlots]uint32, nUsers), profile: map[profileField]uint32{}, since: since}
	if !since.IsZero() {
		x.before = map[fieldKey]string{}
		x.ends = map[endKey]string{}
	}
	var (
		cur     uint64 // the change set of the entries being read
		ref     uint32
		inSince bool
		actors  = map[string]string{}
	)
	err := tx.scan(bucketAudit, nil, true, func(k, v []byte) error {
		h, ok := scanEntryHead(v)
		if !ok { // not the shape appendEntry writes: decode it
			var e AuditEntry
			if json.Unmarshal(v, &e) != nil {
				return nil // VerifyAudit reports it
			}
			h = entryHead{batch: e.Batch, id: e.Entity.ID, kind: []byte(e.Entity.Kind), field: []byte(e.Field),
				time: []byte(e.Time.Format(time.RFC3339Nano)), actor: mustQuote(e.Actor), before: mustQuote(e.Before)}
		}
		if h.batch > asOf {
			return nil // committed after the records in hand were read
		}
		if h.batch != cur || ref == 0 {
			at, err := time.Parse(time.RFC3339Nano, string(h.time))
			if err != nil {
				return nil
			}
			by, ok := actors[string(h.actor)]
			if !ok {
				by = jsonText(h.actor)
				actors[string(h.actor)] = by
			}
			x.batches = append(x.batches, stamp{At: at, Batch: h.batch, By: by})
			cur, ref = h.batch, uint32(len(x.batches))
			inSince = !since.IsZero() && !at.Before(since)
		}
		switch string(h.kind) {
		case "user":
			if inSince && string(h.field) == "deleted" {
				var e AuditEntry
				if json.Unmarshal(v, &e) == nil {
					x.deleted = append(x.deleted, e)
				}
			}
			slot := userSlot(h.field)
			if slot < 0 || h.id >= uint64(nUsers) {
				return nil
			}
			if x.users[h.id][slot] == 0 {
				x.users[h.id][slot] = ref
			}
			// a type change comes with its profile's, whose before says
			// more; an end's before is a date, not the grant's value
			if g, ok := bytes.CutPrefix(h.field, []byte("until ")); ok && inSince {
				x.ends[endKey{h.id, string(g)}] = jsonText(h.before)
			} else if inSince && string(h.field) != "type" {
				x.before[fieldKey{user: h.id, slot: slot}] = jsonText(h.before) // read newest first: the earliest stays
			}
		case "profile":
			pf := profileField{h.id, string(h.field)}
			if _, seen := x.profile[pf]; !seen {
				x.profile[pf] = ref
			}
			if inSince {
				x.before[fieldKey{profileField: pf}] = jsonText(h.before)
			}
		}
		return nil
	})
	return x, err
}

// entryHead is the start of a stored audit entry, in place: strings as
// their JSON text between the quotes (escapes not undone: see jsonText).
type entryHead struct {
	batch, id                        uint64
	time, actor, kind, field, before []byte
}

// scanEntryHead reads the head of an entry as appendEntry writes it,
// without decoding the rest; ok is false for any other shape.
func scanEntryHead(v []byte) (h entryHead, ok bool) {
	p := entryScanner{b: v}
	_ = p.lit(`{"seq":`) && p.num(nil) &&
		p.lit(`,"batch":`) && p.num(&h.batch) &&
		p.lit(`,"time":`) && p.str(&h.time) &&
		p.lit(`,"actor":`) && p.str(&h.actor) &&
		p.lit(`,"entity":{"kind":`) && p.str(&h.kind) &&
		p.lit(`,"id":`) && p.num(&h.id) &&
		p.lit(`,"label":`) && p.str(nil) &&
		p.lit(`},"field":`) && p.str(&h.field) &&
		p.lit(`,"before":`) && p.str(&h.before)
	return h, p.ok()
}

type entryScanner struct {
	b   []byte
	bad bool
}

func (p *entryScanner) ok() bool { return !p.bad }

func (p *entryScanner) lit(s string) bool {
	if !bytes.HasPrefix(p.b, []byte(s)) {
		p.bad = true
		return false
	}
	p.b = p.b[len(s):]
	return true
}

func (p *entryScanner) num(into *uint64) bool {
	i := 0
	for i < len(p.b) && i < 20 && '0' <= p.b[i] && p.b[i] <= '9' {
		i++
	}
	n, err := strconv.ParseUint(string(p.b[:i]), 10, 64)
	if err != nil {
		p.bad = true
		return false
	}
	if into != nil {
		*into = n
	}
	p.b = p.b[i:]
	return true
}

// str reads a JSON string, keeping the text between its quotes.
func (p *entryScanner) str(into *[]byte) bool {
	if len(p.b) == 0 || p.b[0] != '"' {
		p.bad = true
		return false
	}
	for i := 1; i < len(p.b); i++ {
		switch p.b[i] {
		case '\\':
			i++
		case '"':
			if into != nil {
				*into = p.b[1:i]
			}
			p.b = p.b[i+1:]
			return true
		}
	}
	p.bad = true
	return false
}

// jsonText is the string a JSON string's text between its quotes stands for.
func jsonText(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, b...), '"'), &s) != nil {
		return string(b)
	}
	return s
}

// mustQuote is s as the text between a JSON string's quotes.
func mustQuote(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}
