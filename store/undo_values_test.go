package store

import (
	"testing"
)

// Undo works from the ids an entry recorded; an entry written before ids
// were kept is undone from its names, as before.
func TestUndoOfAnEntryWithoutIDsUsesItsNames(t *testing.T) {
	f := newFixture(t)
	cs := f.apply("assign", func(tx *Tx) error {
		return tx.AssignSites(f.user(emBasic).ID, 0, []string{"South Yard"}, nil, true)
	})
	var e AuditEntry
	for _, x := range cs.Entries {
		if x.Field == "sites" {
			e = x
		}
	}
	if !e.HasIDs() {
		t.Fatalf("the sites entry carries no ids: %+v", e)
	}
	legacy := e
	legacy.BeforeIDs, legacy.AfterIDs = nil, nil // as today's files hold it
	f.apply("undo from names", func(tx *Tx) error { return tx.reverse(legacy) })
	if got := f.s.Names().Sites(f.user(emBasic).SiteIDs); len(got) != 0 {
		t.Fatalf("after undoing from names the user holds %v", got)
	}
}
