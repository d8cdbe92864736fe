package store

import "fmt"

// userTable holds the committed users by id. Ids come from the users
// bucket's sequence, so they are dense: a slice indexed by id is filled in
// one pass at open (no hashing of 100,000 keys), looked up without hashing,
// and walked in id order through memory laid out in that order — three
// times faster to walk than a map of the same users, which is most of what
// the console's first frame does.
type userTable struct {
	byID []*User // index = id; nil for ids unused or deleted
	n    int
}

// maxUserID bounds the table (512 MiB of slots): a larger id can only come
// from a damaged file, and must not become a huge allocation.
const maxUserID = 1 << 26

func newUserTable(users []*User) (userTable, error) {
	var max uint64
	for _, u := range users {
		if u.ID > maxUserID || u.ID == 0 {
			return userTable{}, fmt.Errorf("user record with id %d is out of range (a damaged database?)", u.ID)
		}
		max = maxOf(max, u.ID)
	}
	t := userTable{byID: make([]*User, max+1, max+1+max/8)}
	for _, u := range users {
		if t.byID[u.ID] == nil {
			t.n++
		}
		t.byID[u.ID] = u
	}
	return t, nil
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

func (t *userTable) get(id uint64) *User {
	if id < uint64(len(t.byID)) {
		return t.byID[id]
	}
	return nil
}

func (t *userTable) set(u *User) {
	for uint64(len(t.byID)) <= u.ID {
		t.byID = append(t.byID, nil)
	}
	if t.byID[u.ID] == nil {
		t.n++
	}
	t.byID[u.ID] = u
}

func (t *userTable) del(id uint64) {
	if t.get(id) != nil {
		t.byID[id] = nil
		t.n--
	}
}

func (t *userTable) len() int { return t.n }

// each calls f for every user in id order.
func (t *userTable) each(f func(*User)) {
	for _, u := range t.byID {
		if u != nil {
			f(u)
		}
	}
}
